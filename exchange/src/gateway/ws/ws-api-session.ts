import type { Logger } from 'pino';
import type { ApiKeyIdentity, ApiKeyLookup } from '../auth/api-key-lookup.ts';
import { authorize, mayUse } from '../auth/permission-policy.ts';
import { checkRequestTime } from '../auth/request-timing.ts';
import { ApiError, BinanceCode, errors } from '../binance/api-error.ts';
import { Params, paramsFromJson, validateParams } from '../binance/params.ts';
import { inMicroseconds, type TimePlan, type TimeUnit } from '../binance/time-unit.ts';
import { type WsApiRequestMessage, wsApiRequestChannel } from '../gateway-channels.ts';
import { enforce, guardAuthentication, RateLimitError } from '../limits/rate-limit-error.ts';
import type { OrderVerdict, RateLimiter } from '../limits/rate-limiter.ts';
import { RawBody } from '../rest/route.ts';
import type { CompiledRoute, Credentials, RouteDispatcher } from '../rest/route-dispatcher.ts';
import { identify } from '../rest/signed-request.ts';
import type { ClientSocket } from './client-socket.ts';
import { checkParamSignature, verifySignedParams } from './signed-params.ts';
import type { UserDataFeed, UserEvent } from './user-data-feed.ts';
import { eventFrame, userEvent } from './wire-time.ts';
import {
  ERROR_DATA_TIMES,
  paramSpecs,
  RETURN_RATE_LIMITS_SPECS,
  UNKNOWN_METHOD_WEIGHT,
  WS_API_METHODS,
} from './ws-api-methods.ts';
import { UNSUPPORTED_WS_API_METHODS, WS_API_ROUTES } from './ws-api-routes.ts';

/** Requests a connection may have waiting behind the one running; more are refused with -1008. */
const MAX_WAITING_REQUESTS = 1_000;
/** Binance allows up to 1,000 live subscriptions per session. */
const MAX_SUBSCRIPTIONS = 1_000;
const NOTHING: ReadonlySet<string> = new Set();
/** What a routed method's credentials take out of its parameters: signed, or not. */
const WITH_API_KEY: ReadonlySet<string> = new Set(['returnRateLimits', 'apiKey']);
const WITH_SIGNATURE: ReadonlySet<string> = new Set(['returnRateLimits', 'apiKey', 'signature']);

export interface WsApiDeps {
  readonly apiKeys: ApiKeyLookup;
  readonly userData: UserDataFeed;
  readonly limiter: RateLimiter;
  /** REST's route table: the methods of WS_API_ROUTES run their REST route through it. */
  readonly routes: RouteDispatcher;
  readonly logger: Logger;
  readonly clock: () => number;
}

/** What the connection's URL and peer settle for the whole session. */
export interface WsApiConnection {
  /** The IP every request counts against, with REST's requests from it. */
  readonly ip: string;
  /** `timeUnit` of the URL. */
  readonly timeUnit: TimeUnit;
  /** `returnRateLimits` of the URL: whether answers carry `rateLimits` by default. */
  readonly returnRateLimits: boolean;
}

type RequestId = string | number | null;

interface Subscription {
  readonly userId: number;
  /** The key that opened it: the permission policy is asked for it at every delivery. */
  readonly apiKey: string;
  /** Set when the subscription came from the logged-on session; logout ends it. */
  readonly viaSession: boolean;
  readonly unsubscribe: () => void;
}

/**
 * One connection to /ws-api/v3: Binance's WebSocket API requests ({id, method, params} in, {id,
 * status, result, rateLimits} or {id, status, error, rateLimits} out). Sessions and user data
 * streams are this class's own; every other method (trading, account, market data) is a REST route
 * under another name (ws-api-routes.ts), run by REST's dispatcher, signed per request with `apiKey`
 * and `signature` or through session.logon. User data events arrive as {subscriptionId, event},
 * Binance's current format. Routed requests are answered as they finish, each with its `id`.
 *
 * Each request is weighed against its IP by the limiter REST uses (a 429 carries `retryAfter`; a
 * 418, the IP banned, closes the connection); its parameters go through REST's parser, so a number
 * sent as a string is read as Binance reads it; signatures go through the failed-authentication
 * guard; what a key may do is the permission policy's answer, asked again at every delivery.
 *
 * session.logon takes only Ed25519 keys, as on Binance: the request is verified like any signed one
 * (so a bad signature is still -1022), then an HMAC key is refused with -1002.
 */
export class WsApiSession {
  private readonly socket: ClientSocket;
  private readonly deps: WsApiDeps;
  private readonly connection: WsApiConnection;
  private readonly connectedSince: number;
  private identity: ApiKeyIdentity | undefined;
  private authorizedSince: number | undefined;
  private readonly subscriptions = new Map<number, Subscription>();
  private nextSubscriptionId = 0;
  /** The last request still running or waiting (routed methods run asynchronously), if any. */
  private tail: Promise<void> | undefined;
  private waiting = 0;
  /** Subscriptions the current request ended: each hears eventStreamTerminated after the answer. */
  private readonly terminated: number[] = [];
  /** The request being answered, for the `bourse:ws-api:request` channel. */
  private answering: { readonly method: string; readonly started: number } | undefined;

  constructor(socket: ClientSocket, deps: WsApiDeps, connection: WsApiConnection) {
    this.socket = socket;
    this.deps = deps;
    this.connection = connection;
    this.connectedSince = deps.clock();
  }

  /**
   * Takes one frame. Requests run and are answered in the order they arrive, each after the one
   * before it has been answered, as a client pipelining `order.place` then `order.status` expects;
   * the session's own methods answer at once when nothing is waiting.
   */
  handle(text: string): void {
    const now = this.deps.clock();
    if (this.tail === undefined) {
      const running = this.process(text, now);
      if (running !== undefined) this.chain(running);
      return;
    }
    if (this.waiting >= MAX_WAITING_REQUESTS) {
      // Far more pipelined than any client needs: refused at once, out of turn, rather than held.
      const busy = errors.busy();
      this.reply(frameId(text), busy.status, { error: busy.body() }, undefined, false, []);
      return;
    }
    this.waiting++;
    this.chain(
      this.tail.then(() => {
        this.waiting--;
        return this.process(text, now);
      }),
    );
  }

  private chain(running: Promise<void>): void {
    const tail: Promise<void> = running
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'WebSocket API request failed'))
      .finally(() => {
        if (this.tail === tail) this.tail = undefined;
      });
    this.tail = tail;
  }

  /** One request: answered before it returns, or by the promise it returns (a routed method). */
  private process(text: string, now: number): Promise<void> | undefined {
    const started = wsApiRequestChannel.hasSubscribers ? performance.now() : 0;
    let request: unknown;
    try {
      request = JSON.parse(text);
    } catch {
      request = undefined;
    }
    const fields =
      typeof request === 'object' && request !== null && !Array.isArray(request)
        ? (request as Record<string, unknown>)
        : undefined;
    const rawId = fields?.id;
    const id: RequestId = typeof rawId === 'string' || typeof rawId === 'number' ? rawId : null;
    const name = typeof fields?.method === 'string' ? fields.method : undefined;
    const method = name === undefined ? undefined : WS_API_METHODS.get(name);
    const routed = name === undefined || method !== undefined ? undefined : this.routeOf(name);
    const unsupported = name === undefined ? undefined : UNSUPPORTED_WS_API_METHODS.get(name);
    const rawParams = fields?.params ?? {};
    const raw = routed === undefined ? undefined : readableParams(rawParams);
    const weight =
      method?.weight ??
      (routed !== undefined ? weightOf(routed, raw) : (unsupported?.weight ?? UNKNOWN_METHOD_WEIGHT));
    const verdict = this.deps.limiter.weigh(this.connection.ip, weight, now);
    // The metrics label: a known method's name, never what a client made up (bounded cardinality).
    const known = method !== undefined || routed !== undefined || unsupported !== undefined;
    this.answering = { method: known ? name! : 'unknown', started };
    let withRateLimits = this.connection.returnRateLimits;
    try {
      enforce(verdict);
      if (fields === undefined) {
        throw new ApiError(
          BinanceCode.ILLEGAL_CHARS,
          request === undefined
            ? 'Malformed request: not valid JSON.'
            : 'Malformed request: expected an object.',
        );
      }
      if (name === undefined) {
        throw new ApiError(
          BinanceCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED,
          "Mandatory parameter 'method' was not sent, was empty/null, or malformed.",
        );
      }
      if (typeof rawParams !== 'object' || rawParams === null || Array.isArray(rawParams)) {
        throw new ApiError(
          BinanceCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED,
          "Parameter 'params' must be an object.",
        );
      }
      if (routed !== undefined) {
        const params = paramsFromJson(rawParams as Record<string, unknown>);
        withRateLimits = returnRateLimitsOf(params) ?? withRateLimits;
        this.dropUnauthorized();
        return this.runRoute(id, routed, params, now, withRateLimits, verdict.used);
      }
      if (unsupported !== undefined) throw errors.unsupported(name, unsupported.feature);
      if (method === undefined) {
        throw new ApiError(BinanceCode.ILLEGAL_CHARS, `Unknown method '${name.slice(0, 64)}'.`);
      }
      const parsed = validateParams(
        paramsFromJson(rawParams as Record<string, unknown>),
        paramSpecs(method),
        NOTHING,
      );
      withRateLimits = parsed.bool('returnRateLimits') ?? withRateLimits;
      this.dropUnauthorized();
      const result = this.dispatch(name, parsed, now);
      this.reply(id, 200, { result }, method.times, withRateLimits, [
        this.deps.limiter.weightUsage(verdict.used),
      ]);
      this.announceTerminations();
    } catch (error) {
      this.fail(id, error, now, withRateLimits, [this.deps.limiter.weightUsage(verdict.used)]);
    }
    return undefined;
  }

  /** The REST route a method names, if this session's dispatcher has it. */
  private routeOf(name: string): CompiledRoute | undefined {
    const key = WS_API_ROUTES.get(name);
    return key === undefined ? undefined : this.deps.routes.find(key);
  }

  /**
   * Runs a routed method through REST's dispatcher and answers when it finishes. Its credentials are
   * the request's `apiKey` (and `signature`, for USER_DATA and TRADE) when it sends one, else the key
   * the session logged on with; a signed request still needs its `timestamp` either way, as on Binance.
   */
  private runRoute(
    id: RequestId,
    compiled: CompiledRoute,
    raw: Map<string, string>,
    now: number,
    withRateLimits: boolean,
    used: number,
  ): Promise<void> {
    const { apiKeys, limiter } = this.deps;
    const explicit = raw.has('apiKey');
    const session = this.identity;
    const credentials: Credentials = {
      // A public method takes and ignores an apiKey, as REST ignores an X-MBX-APIKEY header there.
      ignored: (signed) => (signed ? WITH_SIGNATURE : WITH_API_KEY),
      identify: () => {
        if (explicit || session === undefined) {
          if (!explicit) throw errors.mandatory('apiKey');
          return identify(apiKeys, raw.get('apiKey'));
        }
        return session;
      },
      verify: (identity, params) => {
        checkRequestTime(params, now);
        if (explicit) checkParamSignature(apiKeys, identity, params);
      },
    };
    let orders: OrderVerdict | undefined;
    const rateLimits = (): object[] => {
      const usage = [limiter.weightUsage(used)];
      if (orders === undefined) return usage;
      const [per10s, perDay] = limiter.published().slice(1);
      return [{ ...per10s, count: orders.count10s }, { ...perDay, count: orders.countDay }, ...usage];
    };
    return this.deps.routes
      .dispatch(compiled, {
        reqId: `ws-${this.connectedSince.toString(36)}-${String(id)}`,
        ip: this.connection.ip,
        nowMs: now,
        raw,
        credentials,
        orderCounted: (verdict) => {
          orders = verdict;
        },
        // The WebSocket API has no headers: what a handler would add there is not Binance's here.
        header: () => {},
      })
      .then(
        (result) => this.reply(id, 200, { result }, compiled.times, withRateLimits, rateLimits()),
        (error: unknown) => this.fail(id, error, now, withRateLimits, rateLimits()),
      );
  }

  /** Ends every subscription: the connection closed. */
  close(): void {
    for (const sub of this.subscriptions.values()) sub.unsubscribe();
    this.subscriptions.clear();
  }

  private dispatch(method: string, params: Params, now: number): unknown {
    const { apiKeys, limiter } = this.deps;
    const ip = this.connection.ip;
    switch (method) {
      case 'ping':
        return {};
      case 'time':
        return { serverTime: now };
      case 'session.logon': {
        const identity = guardAuthentication(limiter, ip, now, () =>
          verifySignedParams(params, apiKeys, now),
        );
        authorize(identity, 'USER_DATA');
        if (identity.keyType !== 'ED25519') {
          throw new ApiError(
            BinanceCode.UNAUTHORIZED,
            'You are not authorized to execute this request. session.logon takes Ed25519 API keys only.',
          );
        }
        this.identity = identity;
        this.authorizedSince = now;
        return this.status(now);
      }
      case 'session.status':
        return this.status(now);
      case 'session.logout': {
        for (const [id, sub] of this.subscriptions) if (sub.viaSession) this.end(id, sub);
        this.identity = undefined;
        this.authorizedSince = undefined;
        return this.status(now);
      }
      case 'userDataStream.subscribe': {
        if (this.identity === undefined) {
          throw new ApiError(
            BinanceCode.UNAUTHORIZED,
            'You are not authorized to execute this request.',
            401,
          );
        }
        authorize(this.identity, 'USER_STREAM');
        return { subscriptionId: this.subscribe(this.identity, true) };
      }
      case 'userDataStream.subscribe.signature': {
        const identity = guardAuthentication(limiter, ip, now, () =>
          verifySignedParams(params, apiKeys, now),
        );
        authorize(identity, 'USER_STREAM');
        return { subscriptionId: this.subscribe(identity, false) };
      }
      case 'userDataStream.unsubscribe': {
        const subscriptionId = params.int('subscriptionId');
        if (subscriptionId === undefined) {
          for (const [id, sub] of this.subscriptions) this.end(id, sub);
          return {};
        }
        const sub = this.subscriptions.get(subscriptionId);
        if (sub === undefined) {
          throw new ApiError(BinanceCode.SUBSCRIPTION_INACTIVE, 'User Data Stream subscription not active.');
        }
        this.end(subscriptionId, sub);
        return {};
      }
      case 'session.subscriptions':
        return [...this.subscriptions.keys()].map((subscriptionId) => ({ subscriptionId }));
      default:
        // Every method of WS_API_METHODS has a case above.
        throw new Error(`WebSocket API method ${method} has no handler`);
    }
  }

  /** Ends a subscription at a client's request (not at close: then no one is left to tell). */
  private end(subscriptionId: number, sub: Subscription): void {
    sub.unsubscribe();
    this.subscriptions.delete(subscriptionId);
    this.terminated.push(subscriptionId);
  }

  /** Binance's last event of a user data stream that a request stopped. */
  private announceTerminations(): void {
    if (this.terminated.length === 0) return;
    const now = this.deps.clock();
    for (const subscriptionId of this.terminated.splice(0)) {
      const event = userEvent({ e: 'eventStreamTerminated', E: now });
      this.socket.deliver(
        eventFrame(`{"subscriptionId":${subscriptionId},"event":`, event, this.connection.timeUnit),
      );
    }
  }

  /**
   * Forgets what a key may no longer do (revoked, or without the permission now): the logon, and
   * its subscriptions (each told with eventStreamTerminated). Runs before every request and every
   * delivery, so the session and its streams end at their next use, as REST refuses at the next request.
   */
  private dropUnauthorized(): void {
    const keys = this.deps.apiKeys;
    if (this.identity !== undefined) {
      const current = keys.identify(this.identity.apiKey);
      if (current === undefined || !mayUse(current, 'USER_DATA')) {
        this.identity = undefined;
        this.authorizedSince = undefined;
      } else {
        this.identity = current;
      }
    }
    for (const [id, sub] of this.subscriptions) {
      if (!mayUse(keys.identify(sub.apiKey), 'USER_STREAM')) this.end(id, sub);
    }
  }

  private subscribe(identity: ApiKeyIdentity, viaSession: boolean): number {
    const { userId, apiKey } = identity;
    for (const sub of this.subscriptions.values()) {
      if (sub.userId === userId) {
        throw new ApiError(BinanceCode.SUBSCRIPTION_ACTIVE, 'User Data Stream subscription already active.');
      }
    }
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS) {
      throw new ApiError(
        BinanceCode.TOO_MANY_REQUESTS,
        'Too many User Data Stream subscriptions on this session.',
      );
    }
    const subscriptionId = this.nextSubscriptionId++;
    const prefix = `{"subscriptionId":${subscriptionId},"event":`;
    const unsubscribe = this.deps.userData.subscribe(userId, (events: readonly UserEvent[]) => {
      if (!mayUse(this.deps.apiKeys.identify(apiKey), 'USER_STREAM')) {
        this.dropUnauthorized();
        this.announceTerminations();
        return;
      }
      for (const event of events) this.socket.deliver(eventFrame(prefix, event, this.connection.timeUnit));
    });
    this.subscriptions.set(subscriptionId, { userId, apiKey, viaSession, unsubscribe });
    return subscriptionId;
  }

  private status(now: number): Record<string, unknown> {
    return {
      apiKey: this.identity?.apiKey ?? null,
      authorizedSince: this.authorizedSince ?? null,
      connectedSince: this.connectedSince,
      returnRateLimits: this.connection.returnRateLimits,
      serverTime: now,
      userDataStream: [...this.subscriptions.values()].some((s) => s.viaSession),
    };
  }

  /**
   * Binance's error answer, with the error's `data` (a cancelReplace's parts). A rate limit's carries
   * `data` with the server time and when to retry; a ban (418) closes the connection after it.
   * Anything but an ApiError is a fault of the server: logged, and the client gets Binance's generic
   * answer while the connection goes on.
   */
  private fail(
    id: RequestId,
    error: unknown,
    now: number,
    withRateLimits: boolean,
    rateLimits: object[],
  ): void {
    let answer: ApiError;
    if (error instanceof ApiError) answer = error;
    else {
      this.deps.logger.error({ err: error, ip: this.connection.ip, id }, 'WebSocket API fault');
      answer = new ApiError(
        BinanceCode.UNKNOWN,
        'An unknown error occurred while processing the request.',
        500,
      );
    }
    const body: Record<string, unknown> = { code: answer.code, msg: answer.message };
    if (answer instanceof RateLimitError) {
      const data = { serverTime: now, retryAfter: answer.retryAtMs };
      body.data = this.connection.timeUnit === 'MICROSECOND' ? inMicroseconds(data, ERROR_DATA_TIMES) : data;
    } else if (answer.data !== undefined) {
      body.data = answer.data;
    }
    this.reply(id, answer.status, { error: body }, undefined, withRateLimits, rateLimits);
    if (answer instanceof RateLimitError && answer.status === 418) {
      this.socket.ws.close(1008, 'IP banned for too many requests');
    }
  }

  private reply(
    id: RequestId,
    status: number,
    outcome: { result: unknown } | { error: unknown },
    times: TimePlan | undefined,
    withRateLimits: boolean,
    rateLimits: object[],
  ): void {
    const micro = times !== undefined && this.connection.timeUnit === 'MICROSECOND';
    const answer: Record<string, unknown> = { id, status };
    if ('result' in outcome) {
      const { result } = outcome;
      if (result instanceof RawBody && !micro) {
        // A body already serialized (the depth cache's): spliced into the frame as it is.
        const limits = withRateLimits ? `,"rateLimits":${JSON.stringify(rateLimits)}` : '';
        const head = `{"id":${JSON.stringify(id)},"status":${status},"result":`;
        this.socket.deliver(Buffer.from(`${head}${result.text}${limits}}`));
        return;
      }
      const value = result instanceof RawBody ? JSON.parse(result.text) : result;
      answer.result = micro ? inMicroseconds(value, times) : value;
    } else {
      answer.error = outcome.error;
    }
    if (withRateLimits) answer.rateLimits = rateLimits;
    this.socket.sendJson(answer);
    if (wsApiRequestChannel.hasSubscribers && this.answering !== undefined) {
      const error = 'error' in outcome ? (outcome.error as { code?: unknown }) : undefined;
      const message: WsApiRequestMessage = {
        method: this.answering.method,
        status,
        code: typeof error?.code === 'number' ? error.code : undefined,
        durationMs: performance.now() - this.answering.started,
      };
      wsApiRequestChannel.publish(message);
    }
  }
}

/** A frame's id, for an answer given before the frame is read in turn. */
function frameId(text: string): RequestId {
  try {
    const id = (JSON.parse(text) as { id?: unknown } | null)?.id;
    return typeof id === 'string' || typeof id === 'number' ? id : null;
  } catch {
    return null;
  }
}

/** A routed method's parameters as text, for its weight; undefined when they cannot be read (the request fails later). */
function readableParams(params: unknown): Map<string, string> | undefined {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined;
  try {
    return paramsFromJson(params as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

function weightOf(compiled: CompiledRoute, raw: Map<string, string> | undefined): number {
  const { weight } = compiled.route;
  return typeof weight === 'number' ? weight : weight(new Params(raw ?? new Map()));
}

/** The request's `returnRateLimits`, checked as every parameter is (-1100 if not true or false). */
function returnRateLimitsOf(raw: ReadonlyMap<string, string>): boolean | undefined {
  const flag = raw.get('returnRateLimits');
  if (flag === undefined) return undefined;
  return validateParams(new Map([['returnRateLimits', flag]]), RETURN_RATE_LIMITS_SPECS, NOTHING).bool(
    'returnRateLimits',
  );
}
