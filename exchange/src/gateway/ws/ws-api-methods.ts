import type { ParamSpec } from '../binance/params.ts';
import { fieldsPlan, TIMESTAMP, type TimePlan } from '../binance/time-unit.ts';

/** One WebSocket API method as Binance documents it: its request weight, parameters and result's times. */
export interface WsApiMethod {
  readonly weight: number;
  readonly params: readonly ParamSpec[];
  /** Signed with `apiKey`, `timestamp` and `signature` (session.logon, the .signature methods). */
  readonly signed?: boolean;
  /** The result's timestamps, for timeUnit=MICROSECOND. */
  readonly times?: TimePlan;
}

const API_KEY: ParamSpec = {
  name: 'apiKey',
  type: 'string',
  required: true,
  description: 'The API key.',
};
const SIGNATURE: ParamSpec = {
  name: 'signature',
  type: 'string',
  required: true,
  description: 'The signature of the other parameters, sorted by name.',
};
const TIMESTAMP_PARAM: ParamSpec = {
  name: 'timestamp',
  type: 'int',
  required: true,
  description: 'Client time of the request, ms since the epoch.',
};
const RECV_WINDOW: ParamSpec = {
  name: 'recvWindow',
  type: 'int',
  description: 'Milliseconds after timestamp the request stays valid; at most 60000. Default 5000.',
};
const SIGNED: readonly ParamSpec[] = [API_KEY, SIGNATURE, TIMESTAMP_PARAM, RECV_WINDOW];
/** Every method takes it: whether the answer carries `rateLimits` (default: the connection's). */
const RETURN_RATE_LIMITS: ParamSpec = {
  name: 'returnRateLimits',
  type: 'boolean',
  description: 'Include rateLimits in the answer. Default true, or the connection URL parameter.',
};

/** `returnRateLimits` alone, for the routed methods (their other parameters are their REST route's). */
export const RETURN_RATE_LIMITS_SPECS: ReadonlyMap<string, ParamSpec> = new Map([
  [RETURN_RATE_LIMITS.name, RETURN_RATE_LIMITS],
]);

const SESSION_TIMES = fieldsPlan({
  serverTime: TIMESTAMP,
  connectedSince: TIMESTAMP,
  authorizedSince: TIMESTAMP,
});

/**
 * The methods of the session itself, with Binance's weights (ping and time 1, the rest 2). The
 * trading, account and market data methods are REST routes: see ws-api-routes.ts.
 */
export const WS_API_METHODS: ReadonlyMap<string, WsApiMethod> = new Map<string, WsApiMethod>([
  ['ping', { weight: 1, params: [] }],
  ['time', { weight: 1, params: [], times: fieldsPlan({ serverTime: TIMESTAMP }) }],
  ['session.logon', { weight: 2, params: SIGNED, signed: true, times: SESSION_TIMES }],
  ['session.status', { weight: 2, params: [], times: SESSION_TIMES }],
  ['session.logout', { weight: 2, params: [], times: SESSION_TIMES }],
  ['session.subscriptions', { weight: 2, params: [] }],
  ['userDataStream.subscribe', { weight: 2, params: [] }],
  ['userDataStream.subscribe.signature', { weight: 2, params: SIGNED, signed: true }],
  [
    'userDataStream.unsubscribe',
    {
      weight: 2,
      params: [
        {
          name: 'subscriptionId',
          type: 'int',
          min: 0,
          description: 'The subscription to end; all of them when not sent.',
        },
      ],
    },
  ],
]);

/** An unknown method still costs a request's weight, as an unknown REST path does. */
export const UNKNOWN_METHOD_WEIGHT = 1;

/** The specs of a method's parameters, by name, with `returnRateLimits` that every method takes. */
export function paramSpecs(method: WsApiMethod): ReadonlyMap<string, ParamSpec> {
  const specs = new Map<string, ParamSpec>();
  for (const spec of method.params) specs.set(spec.name, spec);
  specs.set(RETURN_RATE_LIMITS.name, RETURN_RATE_LIMITS);
  return specs;
}

/** The time fields of an error's `data` (a rate limit's retryAfter), for timeUnit=MICROSECOND. */
export const ERROR_DATA_TIMES: TimePlan = fieldsPlan({ serverTime: TIMESTAMP, retryAfter: TIMESTAMP });
