import { AsyncLocalStorage } from 'node:async_hooks';
import { channel } from 'node:diagnostics_channel';

/**
 * The gateway's diagnostics channels: metrics (ops/metrics) and tracing subscribe from outside;
 * when no one listens, each door pays one boolean check per request.
 */
export const HTTP_REQUEST_CHANNEL = 'bourse:http:request';
export const WS_API_REQUEST_CHANNEL = 'bourse:ws-api:request';
export const RATE_LIMIT_CHANNEL = 'bourse:rate-limit:refused';
export const HTTP_REQUEST_START_CHANNEL = 'bourse:http:request:start';
export const USER_DATA_PUSHED_CHANNEL = 'bourse:user-data:pushed';

/**
 * Message of `bourse:http:request:start`, published as a request arrives. A tracer that samples it
 * sets `context` (the request span's W3C traceparent, as bytes): the gateway then runs the request
 * with it in `commandContext`, and each command the request submits carries it through the log.
 */
export interface HttpRequestStartMessage {
  readonly reqId: string;
  readonly method: string;
  readonly path: string;
  /** The client's traceparent header, if it sent one. */
  readonly traceparent: string | undefined;
  context: Uint8Array | undefined;
}

/** Message of `bourse:user-data:pushed`: one command's user data went out to its listeners. */
export interface UserDataPushedMessage {
  readonly seq: number;
  /** Users that had a listener and got events. */
  readonly users: number;
  /** Connections the events went to. */
  readonly connections: number;
}

/** The trace context of the request being handled, for the commands it submits (see HttpRequestStartMessage). */
export const commandContext = new AsyncLocalStorage<Uint8Array>();

/** Message of `bourse:http:request`, published once per answered request. */
export interface HttpRequestMessage {
  /** The route's path, `site` for the trading page's files, `unknown` for no route (bounded cardinality). */
  readonly route: string;
  readonly method: string;
  readonly status: number;
  /** The Binance error code of a refused request. */
  readonly code: number | undefined;
  readonly durationMs: number;
  readonly reqId: string;
}

/** Message of `bourse:ws-api:request`, published once per answered WebSocket API request. */
export interface WsApiRequestMessage {
  /** The method name when the API knows it, else `unknown`. */
  readonly method: string;
  readonly status: number;
  readonly code: number | undefined;
  readonly durationMs: number;
}

/** Which limit refused: the IP's request weight, its connections, its failed authentications, an account's orders. */
export type RateLimitKind = 'weight' | 'connections' | 'authentication' | 'orders';

/** Message of `bourse:rate-limit:refused`: a 429, or a ban (418) that starts now. */
export interface RateLimitMessage {
  readonly limit: RateLimitKind;
  readonly banned: boolean;
}

export const httpRequestChannel = channel(HTTP_REQUEST_CHANNEL);
export const wsApiRequestChannel = channel(WS_API_REQUEST_CHANNEL);
export const rateLimitChannel = channel(RATE_LIMIT_CHANNEL);
export const httpRequestStartChannel = channel(HTTP_REQUEST_START_CHANNEL);
export const userDataPushedChannel = channel(USER_DATA_PUSHED_CHANNEL);
