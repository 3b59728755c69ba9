import type { ApiKeyIdentity } from '../auth/api-key-lookup.ts';
import type { ParamSpec, Params } from '../binance/params.ts';
import type { JsonSchema } from './response-schemas.ts';

/**
 * Binance's endpoint security types: NONE is public; MARKET_DATA and USER_STREAM need an API key
 * only (any permission); USER_DATA (READ permission) and TRADE (TRADE permission) need a key and a
 * signed, timestamped request.
 */
export type Security = 'NONE' | 'MARKET_DATA' | 'USER_STREAM' | 'USER_DATA' | 'TRADE';

export interface RequestContext {
  readonly reqId: string;
  readonly ip: string;
  readonly nowMs: number;
  readonly params: Params;
  /** Set for every security type but NONE. */
  readonly identity: ApiKeyIdentity | undefined;
  /** Adds a response header (the order-count headers). */
  header(name: string, value: string | number): void;
}

/** A body already serialized (a cached depth answer, the docs page): written as it is. */
export class RawBody {
  readonly text: string;
  readonly contentType: string;
  constructor(text: string, contentType = 'application/json;charset=UTF-8') {
    this.text = text;
    this.contentType = contentType;
  }
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Full path, such as /api/v3/order. */
  readonly path: string;
  readonly summary: string;
  readonly security: Security;
  /** Request weight, fixed or depending on the parameters (depth's limit). */
  readonly weight: number | ((params: Params) => number);
  readonly params: readonly ParamSpec[];
  /** The JSON Schema of a 200 answer, for the OpenAPI document (see response-schemas.ts). */
  readonly response?: JsonSchema;
  /** Counts against the account's order limits (new orders, cancelReplace). */
  readonly countsOrder?: boolean;
  /**
   * Answers from the read model, which gathers events for a few milliseconds before writing: the
   * gateway first waits until it holds every command acknowledged so far, so that a client sees the
   * effects of an order as soon as the order has been answered (read-your-writes).
   */
  readonly readsProjection?: boolean;
  readonly handle: (ctx: RequestContext) => unknown;
  /** Left out of the OpenAPI document (the document itself, the docs page). */
  readonly internal?: boolean;
}

/** The signature parameters every signed endpoint also accepts. */
export const SIGNED_PARAMS: readonly ParamSpec[] = [
  {
    name: 'recvWindow',
    type: 'int',
    description: 'Milliseconds after timestamp the request stays valid; at most 60000. Default 5000.',
  },
  {
    name: 'timestamp',
    type: 'int',
    required: true,
    description: 'Client time of the request, ms since the epoch.',
  },
];
