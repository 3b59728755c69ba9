/**
 * Binance's rate limits: request weight per IP in fixed one-minute windows aligned to the clock, and
 * new orders per account in 10-second and one-day windows. A client over its weight gets 429 with
 * Retry-After; one that keeps sending while limited is banned (418) for a while.
 */
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
}

export const DEFAULT_RATE_LIMITS: RateLimitOptions = {
  requestWeightPerMinute: 6000,
  ordersPer10s: 100,
  ordersPerDay: 200_000,
  banAfterRejected: 50,
  banSeconds: 120,
};

const MINUTE_MS = 60_000;
const TEN_SECONDS_MS = 10_000;
const DAY_MS = 86_400_000;

interface IpState {
  window: number;
  used: number;
  rejected: number;
  bannedUntil: number;
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
      readonly retryAfterS: number;
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
    const window = Math.floor(nowMs / MINUTE_MS);
    if (window !== this.#sweptWindow) this.#sweep(window, nowMs);
    let state = this.#ips.get(ip);
    if (state === undefined) {
      state = { window, used: 0, rejected: 0, bannedUntil: 0 };
      this.#ips.set(ip, state);
    } else if (state.window !== window) {
      state.window = window;
      state.used = 0;
      state.rejected = 0;
    }
    if (state.bannedUntil > nowMs) {
      const retryAfterS = Math.ceil((state.bannedUntil - nowMs) / 1000);
      return {
        ok: false,
        status: 418,
        used: state.used,
        retryAfterS,
        msg: `Way too many requests; IP(${ip}) banned until ${state.bannedUntil}. Please use the websocket for live updates to avoid bans.`,
      };
    }
    state.used += weight;
    if (state.used <= this.options.requestWeightPerMinute) return { ok: true, used: state.used };
    state.rejected++;
    const retryAfterS = Math.ceil(((window + 1) * MINUTE_MS - nowMs) / 1000);
    if (state.rejected > this.options.banAfterRejected) {
      state.bannedUntil = nowMs + this.options.banSeconds * 1000;
      return {
        ok: false,
        status: 418,
        used: state.used,
        retryAfterS: this.options.banSeconds,
        msg: `Way too many requests; IP(${ip}) banned until ${state.bannedUntil}. Please use the websocket for live updates to avoid bans.`,
      };
    }
    return {
      ok: false,
      status: 429,
      used: state.used,
      retryAfterS,
      msg: `Too much request weight used; current limit is ${this.options.requestWeightPerMinute} request weight per 1 MINUTE. Please use the websocket for live updates to avoid polling the API.`,
    };
  }

  /** Counts one new order against the account. */
  countOrder(userId: number, nowMs: number): OrderVerdict {
    const state = this.#orderState(userId, nowMs);
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

  /** Forgets IPs idle since the last window and not banned, so the map does not grow for ever. */
  #sweep(window: number, nowMs: number): void {
    this.#sweptWindow = window;
    for (const [ip, state] of this.#ips) {
      if (state.window < window - 1 && state.bannedUntil <= nowMs) this.#ips.delete(ip);
    }
  }
}
