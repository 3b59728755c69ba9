/**
 * A sliding-window message rate: at most `limit` messages in any `windowMs`. It keeps the arrival
 * times of the last `limit` messages in a ring, so each message costs one comparison and the memory
 * is fixed; a message is one too many when the one `limit` messages before it is still in the window.
 *
 * Binance allows 5 incoming messages a second on a market-stream connection (JSON requests, ping and
 * pong frames) and disconnects a connection that sends more.
 */
export class MessageRate {
  private readonly windowMs: number;
  /** Arrival times of the last `limit` counted messages; `next` is the oldest. */
  private readonly arrivals: number[];
  private next = 0;

  constructor(limit: number, windowMs: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new RangeError(`message rate limit ${limit} is invalid: use a positive integer`);
    }
    if (!(Number.isFinite(windowMs) && windowMs > 0)) {
      throw new RangeError(`message rate window ${windowMs} ms is invalid: use a positive number`);
    }
    this.windowMs = windowMs;
    this.arrivals = new Array<number>(limit).fill(Number.NEGATIVE_INFINITY);
  }

  /** Counts a message arriving at `nowMs`; false, and not counted, when it would pass the limit. */
  take(nowMs: number): boolean {
    if (nowMs - this.arrivals[this.next]! < this.windowMs) return false;
    this.arrivals[this.next] = nowMs;
    this.next = (this.next + 1) % this.arrivals.length;
    return true;
  }
}
