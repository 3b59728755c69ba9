/**
 * Binance's rate limits, one set for every door (REST and the WebSocket API share each IP's count,
 * as on Binance): request weight per IP in fixed one-minute windows aligned to the clock, and new
 * orders per account in 10-second and one-day windows. A client over its weight gets 429 with a time
 * to retry; one that keeps sending while limited is banned (418) for a while.
 *
 * Two more counts per IP guard the doors themselves: WebSocket connections opened in each five-minute
 * window (Binance: 300), and failed authentications (bad signatures, unknown keys) in each minute.
 * Past either, the IP is refused as over its weight, and each refusal counts toward the ban.
 */
import { type RateLimitKind, type RateLimitMessage, rateLimitChannel } from '../gateway-channels.ts';

export interface RateLimitOptions {
  /** @default 6000 */
  readonly requestWeightPerMinute: number;
  /** @default 100 */
  readonly ordersPer10s: number;
  /** @default 200000 */
  readonly ordersPerDay: number;
  /** Requests refused with 429 within one window after which the IP is banned. @default 50 */
  readonly banAfterRejected: number;
  /** @default 120 */
  readonly banSeconds: number;
  /** WebSocket connections (streams and API) an IP may open in each five-minute window. @default 300, as Binance */
  readonly connectionsPer5Min: number;
  /** Failed authentications (signature, key) an IP may make in each minute before it is refused. @default 30 */
  readonly failedAuthPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitOptions = {
  requestWeightPerMinute: 6000,
  ordersPer10s: 100,
  ordersPerDay: 200_000,
  banAfterRejected: 50,
  banSeconds: 120,
  connectionsPer5Min: 300,
  failedAuthPerMinute: 30,
};

const MINUTE_MS = 60_000;
const TEN_SECONDS_MS = 10_000;
const DAY_MS = 86_400_000;
const FIVE_MINUTES_MS = 300_000;

interface IpState {
  /** The minute window that `used`, `rejected` and `authFailures` count in. */
  window: number;
  used: number;
  rejected: number;
  authFailures: number;
  bannedUntil: number;
  /** The five-minute window that `connections` counts in. */
  connectionWindow: number;
  connections: number;
}

interface OrderState {
  window10s: number;
  count10s: number;
  windowDay: number;
  countDay: number;
}

export type WeightVerdict =
  | { readonly ok: true; readonly used: number }
  | {
      readonly ok: false;
      readonly status: 429 | 418;
      readonly used: number;
      /** For REST's Retry-After header. */
      readonly retryAfterS: number;
      /** When the client may retry, ms since the epoch: the WebSocket API's `retryAfter`. */
      readonly retryAtMs: number;
      readonly msg: string;
    };

export type OrderVerdict =
  | { readonly ok: true; readonly count10s: number; readonly countDay: number }
  | {
      readonly ok: false;
      readonly count10s: number;
      readonly countDay: number;
      readonly retryAfterS: number;
      readonly msg: string;
    };

export class RateLimiter {
  readonly options: RateLimitOptions;
  readonly #ips = new Map<string, IpState>();
  readonly #accounts = new Map<number, OrderState>();
  #sweptWindow = 0;

  constructor(options: RateLimitOptions) {
    this.options = options;
  }

  /** Counts a request's weight against its IP (refused requests count too, as on Binance). */
  weigh(ip: string, weight: number, nowMs: number): WeightVerdict {
    const state = this.#ipState(ip, nowMs);
    const banned = this.#banned(ip, state, nowMs);
    if (banned !== undefined) return banned;
    state.used += weight;
    if (state.used <= this.options.requestWeightPerMinute) return { ok: true, used: state.used };
    return this.#refuse(
      'weight',
      ip,
      state,
      nowMs,
      `Too much request weight used; current limit is ${this.options.requestWeightPerMinute} request weight per 1 MINUTE. Please use the websocket for live updates to avoid polling the API.`,
    );
  }

  /**
   * Counts a WebSocket connection the IP opens (streams or API), refused past the five-minute limit
   * or while the IP is banned. The WebSocket API's own weight for connecting is the caller's `weigh`.
   */
  connect(ip: string, nowMs: number): WeightVerdict {
    const state = this.#ipState(ip, nowMs);
    const banned = this.#banned(ip, state, nowMs);
    if (banned !== undefined) return banned;
    const window = Math.floor(nowMs / FIVE_MINUTES_MS);
    if (state.connectionWindow !== window) {
      state.connectionWindow = window;
      state.connections = 0;
    }
    state.connections++;
    if (state.connections <= this.options.connectionsPer5Min) return { ok: true, used: state.used };
    return this.#refuse(
      'connections',
      ip,
      state,
      nowMs,
      `Too many new connections; current limit is ${this.options.connectionsPer5Min} connections per 5 MINUTE.`,
      (window + 1) * FIVE_MINUTES_MS,
    );
  }

  /**
   * Whether the IP may try to authenticate now: refused (and counted toward the ban) once it failed
   * `failedAuthPerMinute` times in this minute, so guessing keys or signatures costs a minute per batch.
   */
  mayAuthenticate(ip: string, nowMs: number): WeightVerdict {
    const state = this.#ipState(ip, nowMs);
    const banned = this.#banned(ip, state, nowMs);
    if (banned !== undefined) return banned;
    if (state.authFailures < this.options.failedAuthPerMinute) return { ok: true, used: state.used };
    return this.#refuse(
      'authentication',
      ip,
      state,
      nowMs,
      `Too many failed authentications; current limit is ${this.options.failedAuthPerMinute} per 1 MINUTE.`,
    );
  }

  /** Counts a failed authentication (bad signature, unknown or malformed key) against the IP. */
  authenticationFailed(ip: string, nowMs: number): void {
    this.#ipState(ip, nowMs).authFailures++;
  }

  /** Binance's `rateLimits` entry of the IP's request weight, with what it used of it. */
  weightUsage(used: number): object {
    return { ...this.published()[0], count: used };
  }

  /** The IP's counts, their minute window moved on to `nowMs`. */
  #ipState(ip: string, nowMs: number): IpState {
    const window = Math.floor(nowMs / MINUTE_MS);
    if (window !== this.#sweptWindow) this.#sweep(window, nowMs);
    let state = this.#ips.get(ip);
    if (state === undefined) {
      state = {
        window,
        used: 0,
        rejected: 0,
        authFailures: 0,
        bannedUntil: 0,
        connectionWindow: Math.floor(nowMs / FIVE_MINUTES_MS),
        connections: 0,
      };
      this.#ips.set(ip, state);
    } else if (state.window !== window) {
      state.window = window;
      state.used = 0;
      state.rejected = 0;
      state.authFailures = 0;
    }
    return state;
  }

  #banned(ip: string, state: IpState, nowMs: number): WeightVerdict | undefined {
    if (state.bannedUntil <= nowMs) return undefined;
    return {
      ok: false,
      status: 418,
      used: state.used,
      retryAfterS: Math.ceil((state.bannedUntil - nowMs) / 1000),
      retryAtMs: state.bannedUntil,
      msg: banMessage(ip, state.bannedUntil),
    };
  }

  /** A 429 until `retryAtMs` (the minute's end by default), or the ban once the IP refused too often. */
  #refuse(
    limit: RateLimitKind,
    ip: string,
    state: IpState,
    nowMs: number,
    msg: string,
    retryAtMs = (state.window + 1) * MINUTE_MS,
  ): WeightVerdict {
    state.rejected++;
    const banned = state.rejected > this.options.banAfterRejected;
    if (rateLimitChannel.hasSubscribers)
      rateLimitChannel.publish({ limit, banned } satisfies RateLimitMessage);
    if (banned) {
      state.bannedUntil = nowMs + this.options.banSeconds * 1000;
      return {
        ok: false,
        status: 418,
        used: state.used,
        retryAfterS: this.options.banSeconds,
        retryAtMs: state.bannedUntil,
        msg: banMessage(ip, state.bannedUntil),
      };
    }
    return {
      ok: false,
      status: 429,
      used: state.used,
      retryAfterS: Math.ceil((retryAtMs - nowMs) / 1000),
      retryAtMs,
      msg,
    };
  }

  /** Counts one new order against the account. */
  countOrder(userId: number, nowMs: number): OrderVerdict {
    const state = this.#orderState(userId, nowMs);
    const refused =
      state.count10s >= this.options.ordersPer10s || state.countDay >= this.options.ordersPerDay;
    if (refused && rateLimitChannel.hasSubscribers) {
      rateLimitChannel.publish({ limit: 'orders', banned: false } satisfies RateLimitMessage);
    }
    if (state.count10s >= this.options.ordersPer10s) {
      return {
        ok: false,
        count10s: state.count10s,
        countDay: state.countDay,
        retryAfterS: Math.ceil(((state.window10s + 1) * TEN_SECONDS_MS - nowMs) / 1000),
        msg: `Too many new orders; current limit is ${this.options.ordersPer10s} orders per 10 SECOND.`,
      };
    }
    if (state.countDay >= this.options.ordersPerDay) {
      return {
        ok: false,
        count10s: state.count10s,
        countDay: state.countDay,
        retryAfterS: Math.ceil(((state.windowDay + 1) * DAY_MS - nowMs) / 1000),
        msg: `Too many new orders; current limit is ${this.options.ordersPerDay} orders per 1 DAY.`,
      };
    }
    state.count10s++;
    state.countDay++;
    return { ok: true, count10s: state.count10s, countDay: state.countDay };
  }

  /** The account's order limits with what it has used of them now (Binance's rateLimit/order). */
  orderUsage(userId: number, nowMs: number): object[] {
    const state = this.#orderState(userId, nowMs);
    const [per10s, perDay] = this.published().slice(1);
    return [
      { ...per10s, count: state.count10s },
      { ...perDay, count: state.countDay },
    ];
  }

  /** The account's order counts, their windows moved on to `nowMs`. */
  #orderState(userId: number, nowMs: number): OrderState {
    const w10 = Math.floor(nowMs / TEN_SECONDS_MS);
    const wDay = Math.floor(nowMs / DAY_MS);
    let state = this.#accounts.get(userId);
    if (state === undefined) {
      state = { window10s: w10, count10s: 0, windowDay: wDay, countDay: 0 };
      this.#accounts.set(userId, state);
    }
    if (state.window10s !== w10) {
      state.window10s = w10;
      state.count10s = 0;
    }
    if (state.windowDay !== wDay) {
      state.windowDay = wDay;
      state.countDay = 0;
    }
    return state;
  }

  /** Binance's rateLimits array for exchangeInfo. */
  published(): object[] {
    return [
      {
        rateLimitType: 'REQUEST_WEIGHT',
        interval: 'MINUTE',
        intervalNum: 1,
        limit: this.options.requestWeightPerMinute,
      },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: this.options.ordersPer10s },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: this.options.ordersPerDay },
    ];
  }

  /**
   * Forgets IPs idle since the last window and not banned, so the map does not grow for ever; an IP
   * that opened connections in the current five-minute window is kept, so its count holds.
   */
  #sweep(window: number, nowMs: number): void {
    this.#sweptWindow = window;
    const connectionWindow = Math.floor(nowMs / FIVE_MINUTES_MS);
    for (const [ip, state] of this.#ips) {
      if (
        state.window < window - 1 &&
        state.bannedUntil <= nowMs &&
        (state.connectionWindow !== connectionWindow || state.connections === 0)
      ) {
        this.#ips.delete(ip);
      }
    }
  }
}

function banMessage(ip: string, bannedUntil: number): string {
  return `Way too many requests; IP(${ip}) banned until ${bannedUntil}. Please use the websocket for live updates to avoid bans.`;
}
