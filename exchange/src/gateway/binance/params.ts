import { type ApiError, errors } from './api-error.ts';

/**
 * Request parameters as Binance reads them: from the query string and, for POST/PUT/DELETE, from an
 * application/x-www-form-urlencoded body. Every name is checked against the endpoint's list before the
 * handler runs, so an unknown or malformed parameter changes nothing.
 */
export type ParamType = 'symbol' | 'int' | 'decimal' | 'enum' | 'string' | 'boolean' | 'symbols';

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  readonly required?: boolean;
  readonly description: string;
  /** For 'enum'. */
  readonly values?: readonly string[];
  /** For 'enum': the error for a value outside `values`. @default -1130 invalid parameter */
  readonly invalid?: () => ApiError;
  /** For 'string': the legal form. */
  readonly pattern?: RegExp;
  /** For 'int': inclusive bounds. */
  readonly min?: number;
  readonly max?: number;
}

const SYMBOL = /^[A-Z0-9\-_.]{1,20}$/;
const INT = /^-?[0-9]{1,16}$/;
const DECIMAL = /^[0-9]{1,20}(\.[0-9]{1,20})?$/;
const SYMBOLS = /^\[("[A-Z0-9\-_.]{1,20}",?){1,100}\]$/;
/** Binance caps a request at about this many parameters. */
const MAX_PARAMETERS = 32;

/** Splits `a=1&b=2` into `into`, decoding percent escapes; a name sent twice is -1101. */
export function parseForm(text: string, into: Map<string, string>, other?: Map<string, string>): void {
  if (text.length === 0) return;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    if (end > start) {
      const pair = text.slice(start, end);
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
      const name = decode(rawName);
      const value = decode(rawValue);
      if (other?.has(name)) throw errors.unread(name);
      if (into.has(name)) throw errors.tooManyParameters(name);
      into.set(name, value);
      if (into.size > MAX_PARAMETERS) throw errors.tooManyParameters(name);
    }
    start = end + 1;
  }
}

function decode(text: string): string {
  if (text.indexOf('%') === -1 && text.indexOf('+') === -1) return text;
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw errors.illegalChars(text.slice(0, 40), 'valid percent-encoding');
  }
}

/** Validated parameters: typed getters for what the spec allowed. */
export class Params {
  readonly raw: ReadonlyMap<string, string>;

  constructor(raw: ReadonlyMap<string, string>) {
    this.raw = raw;
  }

  has(name: string): boolean {
    return this.raw.has(name);
  }

  str(name: string): string | undefined {
    return this.raw.get(name);
  }

  int(name: string): number | undefined {
    const value = this.raw.get(name);
    return value === undefined ? undefined : Number(value);
  }

  bool(name: string): boolean | undefined {
    const value = this.raw.get(name);
    return value === undefined ? undefined : value === 'true';
  }

  symbols(name: string): string[] | undefined {
    const value = this.raw.get(name);
    return value === undefined ? undefined : (JSON.parse(value) as string[]);
  }
}

/** Checks every parameter against the specs: unknown, missing, empty and malformed ones fail. */
export function validateParams(
  raw: Map<string, string>,
  specs: ReadonlyMap<string, ParamSpec>,
  ignore: ReadonlySet<string>,
): Params {
  for (const [name, value] of raw) {
    if (ignore.has(name)) continue;
    const spec = specs.get(name);
    if (spec === undefined) throw errors.unknownParam(name);
    if (value.length === 0) throw spec.required === true ? errors.mandatory(name) : errors.empty(name);
    checkValue(spec, value);
  }
  for (const spec of specs.values()) {
    if (spec.required === true && !raw.has(spec.name)) throw errors.mandatory(spec.name);
  }
  return new Params(raw);
}

function checkValue(spec: ParamSpec, value: string): void {
  switch (spec.type) {
    case 'symbol':
      if (!SYMBOL.test(value)) throw errors.illegalChars(spec.name, '^[A-Z0-9-_.]{1,20}$');
      return;
    case 'int': {
      if (!INT.test(value)) throw errors.illegalChars(spec.name, '^-?[0-9]{1,16}$');
      const n = Number(value);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        throw errors.invalidParameter(
          spec.name,
          `${value} is outside [${spec.min ?? '-inf'}, ${spec.max ?? 'inf'}]`,
        );
      }
      return;
    }
    case 'decimal':
      if (!DECIMAL.test(value)) throw errors.illegalChars(spec.name, '^([0-9]{1,20})(\\.[0-9]{1,20})?$');
      return;
    case 'enum':
      if (!spec.values!.includes(value)) {
        throw spec.invalid?.() ?? errors.invalidParameter(spec.name, `use one of ${spec.values!.join(', ')}`);
      }
      return;
    case 'string':
      if (spec.pattern !== undefined && !spec.pattern.test(value)) {
        throw errors.illegalChars(spec.name, spec.pattern.source);
      }
      return;
    case 'boolean':
      if (value !== 'true' && value !== 'false') throw errors.illegalChars(spec.name, 'true|false');
      return;
    case 'symbols':
      if (!SYMBOLS.test(value)) throw errors.illegalChars(spec.name, '["SYMBOL",...]');
      return;
  }
}

/**
 * A WebSocket API request's `params` object as the text REST's query string would carry, so both
 * doors go through one parser (`validateParams`): Binance reads `"subscriptionId": "0"` as it reads
 * `0`, and `"recvWindow": 5000` as `"5000"`. A number is written as JavaScript writes it (a float or
 * an exponent then fails the spec's pattern), a boolean as true/false, an array of strings (the
 * WebSocket API's `symbols`) as the JSON text REST takes (`["BTCUSDT","ETHUSDT"]`); null, an object
 * or any other array is malformed (-1100).
 */
export function paramsFromJson(params: Readonly<Record<string, unknown>>): Map<string, string> {
  const raw = new Map<string, string>();
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'string') raw.set(name, value);
    else if (typeof value === 'number' || typeof value === 'boolean') raw.set(name, String(value));
    else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
      raw.set(name, JSON.stringify(value));
    } else throw errors.illegalChars(name, 'a string, a number or a boolean');
    if (raw.size > MAX_PARAMETERS) throw errors.tooManyParameters(name);
  }
  return raw;
}
