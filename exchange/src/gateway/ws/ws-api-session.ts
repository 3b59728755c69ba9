import type { ApiKeyIdentity, ApiKeyLookup } from '../auth/api-key-lookup.ts';
import { BinanceCode } from '../binance/api-error.ts';
import type { ClientSocket } from './client-socket.ts';
import { verifySignedParams, WsApiError } from './signed-params.ts';
import type { UserDataFeed, UserEvent } from './user-data-feed.ts';

/** Binance: "User Data Stream subscription already active." / "... not active." */
const SUBSCRIPTION_ACTIVE = -2035;
const SUBSCRIPTION_NOT_ACTIVE = -2036;
/** session.logon with a key other than Ed25519: Binance allows only Ed25519 there; -1002 is its documented "not authorized". */
const HMAC_KEY_NOT_SUPPORTED = -1002;
/** Binance allows up to 1,000 live subscriptions per session. */
const MAX_SUBSCRIPTIONS = 1_000;

/**
 * Every method `dispatch` serves, for the tests that must cover each (the API property test checks
 * this list against dispatch's cases, so neither can grow alone).
 */
export const WS_API_METHODS = [
  'ping',
  'time',
  'session.logon',
  'session.status',
  'session.logout',
  'userDataStream.subscribe',
  'userDataStream.subscribe.signature',
  'userDataStream.unsubscribe',
  'session.subscriptions',
] as const;

export interface WsApiDeps {
  readonly apiKeys: ApiKeyLookup;
  readonly userData: UserDataFeed;
  readonly clock: () => number;
}

type RequestId = string | number | null;

interface Subscription {
  readonly userId: number;
  /** The key that opened it: revoking the key ends it. */
  readonly apiKey: string;
  /** Set when the subscription came from the logged-on session; logout ends it. */
  readonly viaSession: boolean;
  readonly unsubscribe: () => void;
}

/**
 * One connection to /ws-api/v3: Binance's WebSocket API requests ({id, method, params} in, {id,
 * status, result} or {id, status, error} out) for sessions and user data streams. User data events
 * arrive as {subscriptionId, event}, Binance's current format.
 *
 * session.logon takes only Ed25519 keys, as on Binance: the request is verified like any signed one
 * (so a bad signature is still -1022), then an HMAC key is refused with -1002 (Binance: only Ed25519 keys may log on).
 */
export class WsApiSession {
  private readonly socket: ClientSocket;
  private readonly deps: WsApiDeps;
  private readonly connectedSince: number;
  private identity: ApiKeyIdentity | undefined;
  private authorizedSince: number | undefined;
  private readonly subscriptions = new Map<number, Subscription>();
  private nextSubscriptionId = 0;
  /** Subscriptions the current request ended: each hears eventStreamTerminated after the answer. */
  private readonly terminated: number[] = [];

  constructor(socket: ClientSocket, deps: WsApiDeps) {
    this.socket = socket;
    this.deps = deps;
    this.connectedSince = deps.clock();
  }

  handle(text: string): void {
    let request: unknown;
    try {
      request = JSON.parse(text);
    } catch {
      this.reply(
        null,
        400,
        undefined,
        new WsApiError(BinanceCode.ILLEGAL_CHARS, 'Malformed request: not valid JSON.'),
      );
      return;
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      this.reply(
        null,
        400,
        undefined,
        new WsApiError(BinanceCode.ILLEGAL_CHARS, 'Malformed request: expected an object.'),
      );
      return;
    }
    const { id: rawId, method, params = {} } = request as Record<string, unknown>;
    const id: RequestId = typeof rawId === 'string' || typeof rawId === 'number' ? rawId : null;
    try {
      if (typeof method !== 'string') {
        throw new WsApiError(
          BinanceCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED,
          "Mandatory parameter 'method' was not sent, was empty/null, or malformed.",
        );
      }
      if (typeof params !== 'object' || params === null || Array.isArray(params)) {
        throw new WsApiError(
          BinanceCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED,
          "Parameter 'params' must be an object.",
        );
      }
      this.dropRevoked();
      const result = this.dispatch(method, params as Record<string, unknown>);
      this.reply(id, 200, result);
      this.announceTerminations();
    } catch (error) {
      // Anything but a WsApiError is a fault of the server; the client gets Binance's generic answer
      // and the connection, like every other, goes on.
      const answer =
        error instanceof WsApiError
          ? error
          : new WsApiError(
              BinanceCode.UNKNOWN,
              'An unknown error occurred while processing the request.',
              500,
            );
      this.reply(id, answer.status, undefined, answer);
    }
  }

  /** Ends every subscription: the connection closed. */
  close(): void {
    for (const sub of this.subscriptions.values()) sub.unsubscribe();
    this.subscriptions.clear();
  }

  private dispatch(method: string, params: Record<string, unknown>): unknown {
    const now = this.deps.clock();
    switch (method) {
      case 'ping':
        return {};
      case 'time':
        return { serverTime: now };
      case 'session.logon': {
        const identity = verifySignedParams(params, this.deps.apiKeys, now);
        if (identity.keyType !== 'ED25519') {
          throw new WsApiError(
            HMAC_KEY_NOT_SUPPORTED,
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
          throw new WsApiError(
            BinanceCode.UNAUTHORIZED,
            'You are not authorized to execute this request.',
            401,
          );
        }
        return { subscriptionId: this.subscribe(this.identity, true) };
      }
      case 'userDataStream.subscribe.signature': {
        const identity = verifySignedParams(params, this.deps.apiKeys, now);
        return { subscriptionId: this.subscribe(identity, false) };
      }
      case 'userDataStream.unsubscribe': {
        const { subscriptionId } = params;
        if (subscriptionId === undefined) {
          for (const [id, sub] of this.subscriptions) this.end(id, sub);
          return {};
        }
        const sub = typeof subscriptionId === 'number' ? this.subscriptions.get(subscriptionId) : undefined;
        if (sub === undefined) {
          throw new WsApiError(SUBSCRIPTION_NOT_ACTIVE, 'User Data Stream subscription not active.');
        }
        this.end(subscriptionId as number, sub);
        return {};
      }
      case 'session.subscriptions':
        return [...this.subscriptions.keys()].map((subscriptionId) => ({ subscriptionId }));
      default:
        throw new WsApiError(BinanceCode.ILLEGAL_CHARS, `Unknown method '${method.slice(0, 64)}'.`);
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
      this.socket.sendJson({ subscriptionId, event: { e: 'eventStreamTerminated', E: now } });
    }
  }

  /**
   * Forgets what a revoked key opened: the logon, and its subscriptions (each told with
   * eventStreamTerminated). Runs before every request and every delivery, so a revoked key's session
   * and streams end at their next use, as its REST requests are refused at theirs.
   */
  private dropRevoked(): void {
    const keys = this.deps.apiKeys;
    if (this.identity !== undefined && keys.identify(this.identity.apiKey) === undefined) {
      this.identity = undefined;
      this.authorizedSince = undefined;
    }
    for (const [id, sub] of this.subscriptions) {
      if (keys.identify(sub.apiKey) === undefined) this.end(id, sub);
    }
  }

  private subscribe(identity: ApiKeyIdentity, viaSession: boolean): number {
    const { userId, apiKey } = identity;
    for (const sub of this.subscriptions.values()) {
      if (sub.userId === userId) {
        throw new WsApiError(SUBSCRIPTION_ACTIVE, 'User Data Stream subscription already active.');
      }
    }
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS) {
      throw new WsApiError(
        BinanceCode.TOO_MANY_REQUESTS,
        'Too many User Data Stream subscriptions on this session.',
      );
    }
    const subscriptionId = this.nextSubscriptionId++;
    const prefix = `{"subscriptionId":${subscriptionId},"event":`;
    const unsubscribe = this.deps.userData.subscribe(userId, (events: readonly UserEvent[]) => {
      if (this.deps.apiKeys.identify(apiKey) === undefined) {
        this.dropRevoked();
        this.announceTerminations();
        return;
      }
      for (const event of events) this.socket.deliver(Buffer.from(`${prefix}${event.json}}`));
    });
    this.subscriptions.set(subscriptionId, { userId, apiKey, viaSession, unsubscribe });
    return subscriptionId;
  }

  private status(now: number): Record<string, unknown> {
    return {
      apiKey: this.identity?.apiKey ?? null,
      authorizedSince: this.authorizedSince ?? null,
      connectedSince: this.connectedSince,
      returnRateLimits: false,
      serverTime: now,
      userDataStream: [...this.subscriptions.values()].some((s) => s.viaSession),
    };
  }

  private reply(id: RequestId, status: number, result: unknown, error?: WsApiError): void {
    if (error !== undefined) {
      this.socket.sendJson({ id, status, error: { code: error.code, msg: error.message } });
    } else {
      this.socket.sendJson({ id, status, result });
    }
  }
}
