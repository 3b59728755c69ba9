/**
 * A JSON Schema checker for the subset the OpenAPI document uses: $ref into components, type, enum,
 * pattern, properties, required, additionalProperties: false, items, prefixItems, minItems, oneOf.
 * Returns what does not match, each with its JSON path; empty when the value fits.
 */
type Schema = Readonly<Record<string, unknown>>;

export function schemaErrors(
  value: unknown,
  schema: Schema,
  components: Record<string, Schema>,
  path = '$',
): string[] {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = components[name];
    if (target === undefined) return [`${path}: unknown schema ${schema.$ref}`];
    return schemaErrors(value, target, components, path);
  }
  if (Array.isArray(schema.oneOf)) {
    const fits = (schema.oneOf as Schema[]).filter(
      (s) => schemaErrors(value, s, components, path).length === 0,
    );
    return fits.length === 1 ? [] : [`${path}: fits ${fits.length} of the oneOf schemas, not exactly 1`];
  }
  const errors: string[] = [];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (schema.type !== undefined && !hasType(value, schema.type as string)) {
    return [...errors, `${path}: ${JSON.stringify(value)?.slice(0, 60)} is not ${schema.type}`];
  }
  if (
    typeof schema.pattern === 'string' &&
    typeof value === 'string' &&
    !new RegExp(schema.pattern).test(value)
  ) {
    errors.push(`${path}: "${value}" does not match ${schema.pattern}`);
  }
  if (schema.type === 'object' && typeof value === 'object' && value !== null) {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) {
      if (!(key in object)) errors.push(`${path}: lacks ${key}`);
    }
    for (const [key, item] of Object.entries(object)) {
      const property = properties[key];
      if (property !== undefined) errors.push(...schemaErrors(item, property, components, `${path}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: has undocumented ${key}`);
    }
  }
  if (schema.type === 'array' && Array.isArray(value)) {
    const prefix = (schema.prefixItems ?? []) as Schema[];
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      errors.push(`${path}: has ${value.length} items, fewer than ${schema.minItems}`);
    }
    value.forEach((item, i) => {
      const itemSchema = i < prefix.length ? prefix[i] : schema.items;
      if (itemSchema === false) errors.push(`${path}[${i}]: no item is allowed here`);
      else if (itemSchema !== undefined)
        errors.push(...schemaErrors(item, itemSchema as Schema, components, `${path}[${i}]`));
    });
  }
  return errors;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'null':
      return value === null;
    default:
      return typeof value === type;
  }
}
