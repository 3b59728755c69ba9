import type { ApiKeyIdentity, ApiKeyLookup } from '../auth/api-key-lookup.ts';
import { authorize, mayUse } from '../auth/permission-policy.ts';
import { ApiError, BinanceCode } from '../binance/api-error.ts';
import { type Params, paramsFromJson, validateParams } from '../binance/params.ts';
import { inMicroseconds, type TimePlan, type TimeUnit } from '../binance/time-unit.ts';
import { type WsApiRequestMessage, wsApiRequestChannel } from '../gateway-channels.ts';
import { enforce, guardAuthentication, RateLimitError } from '../limits/rate-limit-error.ts';
import type { RateLimiter } from '../limits/rate-limiter.ts';
import type { ClientSocket } from './client-socket.ts';
import { verifySignedParams } from './signed-params.ts';
import type { UserDataFeed, UserEvent } from './user-data-feed.ts';
import { eventFrame, userEvent } from './wire-time.ts';
import { ERROR_DATA_TIMES, paramSpecs, UNKNOWN_METHOD_WEIGHT, WS_API_METHODS } from './ws-api-methods.ts';

/** Binance allows up to 1,000 live subscriptions per session. */
const MAX_SUBSCRIPTIONS = 1_000;
const NOTHING: ReadonlySet<string> = new Set();

export interface WsApiDeps {
  readonly apiKeys: ApiKeyLookup;
  readonly userData: UserDataFeed;
  readonly limiter: RateLimiter;
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
 * status, result, rateLimits} or {id, status, error, rateLimits} out) for sessions and user data
 * streams. User data events arrive as {subscriptionId, event}, Binance's current format.
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

  handle(text: string): void {
    const now = this.deps.clock();
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
    const method = typeof fields?.method === 'string' ? WS_API_METHODS.get(fields.method) : undefined;
    // The metrics label: a known method's name, never what a client made up (bounded cardinality).
    this.answering = { method: method === undefined ? 'unknown' : (fields!.method as string), started };
    const verdict = this.deps.limiter.weigh(this.connection.ip, method?.weight ?? UNKNOWN_METHOD_WEIGHT, now);
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
      const { method: name, params = {} } = fields;
      if (typeof name !== 'string') {
        throw new ApiError(
          BinanceCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED,
          "Mandatory parameter 'method' was not sent, was empty/null, or malformed.",
        );
      }
      if (method === undefined) {
        throw new ApiError(BinanceCode.ILLEGAL_CHARS, `Unknown method '${name.slice(0, 64)}'.`);
      }
      if (typeof params !== 'object' || params === null || Array.isArray(params)) {
        throw new ApiError(
          BinanceCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED,
          "Parameter 'params' must be an object.",
        );
      }
      const parsed = validateParams(
        paramsFromJson(params as Record<string, unknown>),
        paramSpecs(method),
        NOTHING,
      );
      withRateLimits = parsed.bool('returnRateLimits') ?? withRateLimits;
      this.dropUnauthorized();
      const result = this.dispatch(name, parsed, now);
      this.reply(id, 200, { result }, method.times, withRateLimits, verdict.used);
      this.announceTerminations();
    } catch (error) {
      this.fail(id, error, now, withRateLimits, verdict.used);
    }
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
   * Binance's error answer. A rate limit's carries `data` with the server time and when to retry;
   * a ban (418) closes the connection after it. Anything but an ApiError is a fault of the server:
   * the client gets Binance's generic answer and the connection goes on.
   */
  private fail(id: RequestId, error: unknown, now: number, withRateLimits: boolean, used: number): void {
    const answer =
      error instanceof ApiError
        ? error
        : new ApiError(BinanceCode.UNKNOWN, 'An unknown error occurred while processing the request.', 500);
    const body: Record<string, unknown> = { code: answer.code, msg: answer.message };
    if (answer instanceof RateLimitError) {
      const data = { serverTime: now, retryAfter: answer.retryAtMs };
      body.data = this.connection.timeUnit === 'MICROSECOND' ? inMicroseconds(data, ERROR_DATA_TIMES) : data;
    }
    this.reply(id, answer.status, { error: body }, undefined, withRateLimits, used);
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
    used: number,
  ): void {
    const answer: Record<string, unknown> = { id, status };
    if ('result' in outcome) {
      answer.result =
        times !== undefined && this.connection.timeUnit === 'MICROSECOND'
          ? inMicroseconds(outcome.result, times)
          : outcome.result;
    } else {
      answer.error = outcome.error;
    }
    if (withRateLimits) answer.rateLimits = [this.deps.limiter.weightUsage(used)];
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
