import { ApiError, BinanceCode, errors } from '../binance/api-error.ts';
import type { RateLimiter, WeightVerdict } from './rate-limiter.ts';

type Refusal = Extract<WeightVerdict, { ok: false }>;

/**
 * A request refused by the rate limiter (-1003, 429 or 418), with when the client may retry: REST
 * writes it as Retry-After, the WebSocket API as `retryAfter` (and a 418 closes the connection).
 */
export class RateLimitError extends ApiError {
  readonly retryAfterS: number;
  readonly retryAtMs: number;
  /** The IP's request weight used so far in this minute. */
  readonly used: number;

  constructor(refusal: Refusal) {
    const { code, message, status } = errors.tooManyRequests(refusal.status, refusal.msg);
    super(code, message, status);
    this.retryAfterS = refusal.retryAfterS;
    this.retryAtMs = refusal.retryAtMs;
    this.used = refusal.used;
  }
}

/** Throws the verdict's refusal, if it is one. */
export function enforce(verdict: WeightVerdict): void {
  if (!verdict.ok) throw new RateLimitError(verdict);
}

/** Codes that mean the caller could not prove who it is: each counts as a failed authentication. */
const AUTHENTICATION_FAILURES: ReadonlySet<number> = new Set([
  BinanceCode.BAD_API_KEY_FMT,
  BinanceCode.REJECTED_MBX_KEY,
  BinanceCode.INVALID_SIGNATURE,
]);

/**
 * Runs `authenticate` (finding the key and checking the signature) for `ip`, as both doors do: refused
 * while the IP has failed too often in this minute, and a failure counted against it.
 */
export function guardAuthentication<T>(
  limiter: RateLimiter,
  ip: string,
  nowMs: number,
  authenticate: () => T,
): T {
  enforce(limiter.mayAuthenticate(ip, nowMs));
  try {
    return authenticate();
  } catch (error) {
    if (error instanceof ApiError && AUTHENTICATION_FAILURES.has(error.code)) {
      limiter.authenticationFailed(ip, nowMs);
    }
    throw error;
  }
}
