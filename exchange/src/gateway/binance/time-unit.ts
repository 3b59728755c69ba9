import { ApiError, BinanceCode } from './api-error.ts';

/**
 * Binance's time unit of an answer: every timestamp of REST answers (header `X-MBX-TIME-UNIT`), of
 * stream events and of WebSocket API answers (URL parameter `timeUnit`) is in milliseconds, or in
 * microseconds when the client asks. Timestamps are milliseconds everywhere inside Bourse; this is
 * the one place that scales them, as the answer is written.
 */
export type TimeUnit = 'MILLISECOND' | 'MICROSECOND';

/** The header's or the URL parameter's value, in any case; absent means milliseconds; else -1194. */
export function parseTimeUnit(value: string | undefined): TimeUnit {
  if (value === undefined) return 'MILLISECOND';
  const upper = value.toUpperCase();
  if (upper === 'MILLISECOND' || upper === 'MICROSECOND') return upper;
  throw new ApiError(
    BinanceCode.INVALID_TIME_UNIT,
    'Invalid value for time unit; expected either MICROSECOND or MILLISECOND.',
  );
}

/**
 * Where the timestamps of an answer are: the value itself, some fields of an object, the elements
 * of an array (all of them, or by position for a tuple such as a kline). A part with no timestamp
 * in it has no plan.
 */
export type TimePlan =
  | { readonly kind: 'timestamp' }
  | { readonly kind: 'object'; readonly fields: ReadonlyMap<string, TimePlan> }
  | {
      readonly kind: 'array';
      readonly items: TimePlan | undefined;
      readonly positions: readonly (TimePlan | undefined)[];
    };

export const TIMESTAMP: TimePlan = { kind: 'timestamp' };

/** An object's plan from its timestamp fields (and the plans of nested ones). */
export function fieldsPlan(fields: Readonly<Record<string, TimePlan>>): TimePlan {
  return { kind: 'object', fields: new Map(Object.entries(fields)) };
}

/** JSON Schema `format` that marks an integer as a timestamp in milliseconds since the epoch. */
export const TIMESTAMP_FORMAT = 'unix-ms';

type Schema = Readonly<Record<string, unknown>>;

/**
 * The plan of a JSON Schema (the OpenAPI document's answers): integers with `format: unix-ms` are
 * timestamps; `$ref`s resolve in `components`; the branches of a oneOf merge, since a value fits one
 * of them and a timestamp field has the same name in each.
 */
export function timePlanOf(
  schema: Schema,
  components: Readonly<Record<string, Schema>>,
): TimePlan | undefined {
  if (typeof schema.$ref === 'string') {
    const target = components[schema.$ref.replace('#/components/schemas/', '')];
    if (target === undefined) throw new Error(`unknown schema ${schema.$ref}`);
    return timePlanOf(target, components);
  }
  if (Array.isArray(schema.oneOf)) {
    let merged: TimePlan | undefined;
    for (const branch of schema.oneOf as Schema[]) merged = merge(merged, timePlanOf(branch, components));
    return merged;
  }
  if (schema.format === TIMESTAMP_FORMAT) return TIMESTAMP;
  if (schema.type === 'object' && typeof schema.properties === 'object' && schema.properties !== null) {
    const fields = new Map<string, TimePlan>();
    for (const [name, property] of Object.entries(schema.properties as Record<string, Schema>)) {
      const plan = timePlanOf(property, components);
      if (plan !== undefined) fields.set(name, plan);
    }
    return fields.size === 0 ? undefined : { kind: 'object', fields };
  }
  if (schema.type === 'array') {
    const items =
      typeof schema.items === 'object' && schema.items !== null
        ? timePlanOf(schema.items as Schema, components)
        : undefined;
    const positions = Array.isArray(schema.prefixItems)
      ? (schema.prefixItems as Schema[]).map((s) => timePlanOf(s, components))
      : [];
    if (items === undefined && positions.every((p) => p === undefined)) return undefined;
    return { kind: 'array', items, positions };
  }
  return undefined;
}

function merge(a: TimePlan | undefined, b: TimePlan | undefined): TimePlan | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (a.kind === 'object' && b.kind === 'object') {
    const fields = new Map(a.fields);
    for (const [name, plan] of b.fields) fields.set(name, merge(fields.get(name), plan)!);
    return { kind: 'object', fields };
  }
  if (a.kind === 'array' && b.kind === 'array') {
    const length = Math.max(a.positions.length, b.positions.length);
    const positions = Array.from({ length }, (_, i) => merge(a.positions[i], b.positions[i]));
    return { kind: 'array', items: merge(a.items, b.items), positions };
  }
  return a;
}

/** A copy of `value` with every timestamp the plan names scaled to microseconds. */
export function inMicroseconds(value: unknown, plan: TimePlan): unknown {
  switch (plan.kind) {
    case 'timestamp':
      // Only integers are timestamps: a field that is null or a string in this answer stays as it is.
      // -1 is Binance's "not yet" (a waiting stop's workingTime), in either unit.
      return typeof value === 'number' && value !== -1 ? value * 1000 : value;
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
      const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      for (const [name, field] of plan.fields) {
        if (name in out) out[name] = inMicroseconds(out[name], field);
      }
      return out;
    }
    case 'array': {
      if (!Array.isArray(value)) return value;
      return value.map((element, i) => {
        const element_plan = plan.positions[i] ?? plan.items;
        return element_plan === undefined ? element : inMicroseconds(element, element_plan);
      });
    }
  }
}

/**
 * The timestamps of Binance's stream and user-data events, by event type (`e`). A field's letter
 * means a time in one event and an id in another (`t` is a kline's open time and a trade's id; `u`
 * the account update time and a depth update id), so the table is by event; an event not in it has
 * only its event time `E`.
 */
const tickerTimes = fieldsPlan({ E: TIMESTAMP, O: TIMESTAMP, C: TIMESTAMP });
const EVENT_PLANS: ReadonlyMap<string, TimePlan> = new Map([
  ['trade', fieldsPlan({ E: TIMESTAMP, T: TIMESTAMP })],
  ['aggTrade', fieldsPlan({ E: TIMESTAMP, T: TIMESTAMP })],
  ['kline', fieldsPlan({ E: TIMESTAMP, k: fieldsPlan({ t: TIMESTAMP, T: TIMESTAMP }) })],
  ['24hrTicker', tickerTimes],
  ['1hTicker', tickerTimes],
  ['4hTicker', tickerTimes],
  ['1dTicker', tickerTimes],
  ['avgPrice', fieldsPlan({ E: TIMESTAMP, T: TIMESTAMP })],
  ['executionReport', fieldsPlan({ E: TIMESTAMP, T: TIMESTAMP, O: TIMESTAMP, W: TIMESTAMP })],
  ['outboundAccountPosition', fieldsPlan({ E: TIMESTAMP, u: TIMESTAMP })],
  ['balanceUpdate', fieldsPlan({ E: TIMESTAMP, T: TIMESTAMP })],
  ['externalLockUpdate', fieldsPlan({ E: TIMESTAMP, T: TIMESTAMP })],
]);
const EVENT_TIME_ONLY = fieldsPlan({ E: TIMESTAMP });

/**
 * A stream payload (an event, an array of events such as `!ticker@arr`, or a payload without an
 * event type such as a partial book or a book ticker, which carry no time) in microseconds.
 */
export function eventInMicroseconds(payload: unknown): unknown {
  if (Array.isArray(payload)) return payload.map(eventInMicroseconds);
  if (typeof payload !== 'object' || payload === null) return payload;
  const type = (payload as { e?: unknown }).e;
  if (typeof type !== 'string') return payload;
  return inMicroseconds(payload, EVENT_PLANS.get(type) ?? EVENT_TIME_ONLY);
}
