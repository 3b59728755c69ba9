import type { ApiKeyIdentity } from '../auth/api-key-lookup.ts';
import { authorize } from '../auth/permission-policy.ts';
import { errors } from '../binance/api-error.ts';
import { type ParamSpec, type Params, validateParams } from '../binance/params.ts';
import { type TimePlan, timePlanOf } from '../binance/time-unit.ts';
import { guardAuthentication } from '../limits/rate-limit-error.ts';
import type { OrderVerdict, RateLimiter } from '../limits/rate-limiter.ts';
import { RESPONSE_SCHEMAS } from './response-schemas.ts';
import { type RequestContext, type Route, SIGNED_PARAMS } from './route.ts';

/** A route with what every request to it needs, worked out once. */
export interface CompiledRoute {
  readonly route: Route;
  readonly specs: ReadonlyMap<string, ParamSpec>;
  /** USER_DATA and TRADE: a key, a timestamp and a signature (or a logged-on WebSocket API session). */
  readonly signed: boolean;
  /** Where the answer's times are (from its response schema), for timeUnit MICROSECOND. */
  readonly times: TimePlan | undefined;
}

/**
 * How one door proves who is calling. REST reads the X-MBX-APIKEY header and signs the query string
 * and body as sent; the WebSocket API reads `apiKey` and signs the sorted parameters, or uses the
 * key its session logged on with.
 */
export interface Credentials {
  /** Parameters that carry the credentials rather than the request, for a route of this kind. */
  ignored(signed: boolean): ReadonlySet<string>;
  /** The caller's key, or -2014 (missing or malformed) / -2015 (unknown). */
  identify(): ApiKeyIdentity;
  /** Binance's SIGNED check (timestamp within recvWindow, then the signature), or its error. */
  verify(identity: ApiKeyIdentity, params: Params): void;
}

/** One request at one door, its parameters as text, whichever door they came through. */
export interface DoorRequest {
  readonly reqId: string;
  readonly ip: string;
  readonly nowMs: number;
  readonly raw: Map<string, string>;
  readonly credentials: Credentials;
  /** The account's order counts after an order-counting request (REST: headers; WS API: rateLimits). */
  orderCounted(verdict: OrderVerdict): void;
  /** A response header a handler adds (REST only; the WebSocket API has no headers). */
  header(name: string, value: string | number): void;
}

export interface RouteDispatcherDeps {
  readonly limiter: RateLimiter;
  /** Resolves once the read model holds every command acknowledged so far (see Route.readsProjection). */
  readonly caughtUp: () => Promise<void>;
}

/**
 * The route table's one execution path, shared by REST and the WebSocket API so the two doors cannot
 * drift: authentication through the failed-authentication guard, the parameters through REST's
 * parser, the permission policy, the account's order limits, read-your-writes, then the handler.
 * Weighing the request against its IP is the door's (it happens before the route is even known).
 */
export class RouteDispatcher {
  readonly #routes = new Map<string, CompiledRoute>();
  readonly #paths = new Set<string>();
  readonly #deps: RouteDispatcherDeps;

  constructor(routes: readonly Route[], deps: RouteDispatcherDeps) {
    this.#deps = deps;
    for (const route of routes) {
      const signed = route.security === 'USER_DATA' || route.security === 'TRADE';
      const specs = new Map<string, ParamSpec>();
      for (const spec of route.params) specs.set(spec.name, spec);
      if (signed) for (const spec of SIGNED_PARAMS) specs.set(spec.name, spec);
      const times = route.response === undefined ? undefined : timePlanOf(route.response, RESPONSE_SCHEMAS);
      this.#routes.set(routeKey(route.method, route.path), { route, specs, signed, times });
      this.#paths.add(route.path);
    }
  }

  /** The route of `METHOD path`, such as `GET /api/v3/depth`. */
  find(key: string): CompiledRoute | undefined {
    return this.#routes.get(key);
  }

  /** Whether some method serves `path` (a wrong method is then 405, not an unknown path). */
  servesPath(path: string): boolean {
    return this.#paths.has(path);
  }

  async dispatch(compiled: CompiledRoute, request: DoorRequest): Promise<unknown> {
    const { route, signed } = compiled;
    const { limiter } = this.#deps;
    const { ip, nowMs, credentials } = request;
    let identity: ApiKeyIdentity | undefined;
    if (route.security !== 'NONE') {
      identity = guardAuthentication(limiter, ip, nowMs, () => credentials.identify());
    }
    const params = validateParams(request.raw, compiled.specs, credentials.ignored(signed));
    if (signed) {
      const caller = identity!;
      guardAuthentication(limiter, ip, nowMs, () => credentials.verify(caller, params));
    }
    if (identity !== undefined && route.security !== 'NONE') authorize(identity, route.security);
    if (route.countsOrder === true) {
      const verdict = limiter.countOrder(identity!.userId, nowMs);
      request.orderCounted(verdict);
      if (!verdict.ok) throw errors.tooManyOrders(verdict.msg);
    }
    const ctx: RequestContext = {
      reqId: request.reqId,
      ip,
      nowMs,
      params,
      identity,
      header: (name, value) => request.header(name, value),
    };
    if (route.readsProjection === true) await this.#deps.caughtUp();
    return await route.handle(ctx);
  }
}

export function routeKey(method: string, path: string): string {
  return `${method} ${path}`;
}
