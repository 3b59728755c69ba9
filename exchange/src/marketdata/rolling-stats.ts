import type { Amount } from '../domain/amount.ts';
import { mulDiv } from '../domain/amount.ts';
import type { Trade } from '../domain/events.ts';
import { averagePriceFromMinute } from '../domain/symbol-filters.ts';
import type { Ticker24h, WindowTicker } from './market-data-view.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** Buckets kept past the 24-hour window, so a query with a slightly older `now` still finds them. */
const SLACK_MS = 60 * MINUTE_MS;

/** What the statistics read of a trade: a Trade event, or a trade row of the read model. */
export type StatsTrade = Pick<Trade, 'tradeId' | 'price' | 'quantity' | 'quoteQuantity' | 'ts'>;

interface MinuteBucket {
  readonly minute: number;
  open: Amount;
  high: Amount;
  low: Amount;
  close: Amount;
  volume: Amount;
  quoteVolume: Amount;
  firstId: number;
  lastId: number;
  count: number;
  lastTs: number;
}

/**
 * One symbol's trade statistics in one-minute buckets: the rolling 24-hour ticker and the average
 * price. Binance documents its rolling windows as accurate to within a minute, which is what minute
 * buckets give, in constant memory (1,500 buckets) however fast the market trades.
 */
export class RollingStats {
  readonly symbol: string;
  /** 10^base decimals, to turn quote volume per base volume into a price. */
  private readonly baseScale: number;
  private readonly buckets: MinuteBucket[] = [];
  private head = 0;
  /** Close of the newest bucket dropped from the front: the price before the oldest kept bucket. */
  private droppedClose: Amount = 0;
  lastPrice: Amount = 0;
  lastQty: Amount = 0;
  lastTradeTs = 0;

  constructor(symbol: string, baseScale: number) {
    this.symbol = symbol;
    this.baseScale = baseScale;
  }

  /** Takes trades in time order: a trade older than the newest bucket would land in it. */
  add(trade: StatsTrade): void {
    const minute = Math.floor(trade.ts / MINUTE_MS) * MINUTE_MS;
    let bucket = this.buckets[this.buckets.length - 1];
    if (bucket === undefined || this.buckets.length === this.head || bucket.minute < minute) {
      bucket = {
        minute,
        open: trade.price,
        high: trade.price,
        low: trade.price,
        close: trade.price,
        volume: 0,
        quoteVolume: 0,
        firstId: trade.tradeId,
        lastId: trade.tradeId,
        count: 0,
        lastTs: trade.ts,
      };
      this.buckets.push(bucket);
      this.evict(trade.ts);
    }
    if (trade.price > bucket.high) bucket.high = trade.price;
    if (trade.price < bucket.low) bucket.low = trade.price;
    bucket.close = trade.price;
    bucket.volume += trade.quantity;
    bucket.quoteVolume += trade.quoteQuantity;
    bucket.lastId = trade.tradeId;
    bucket.count++;
    bucket.lastTs = trade.ts;
    this.lastPrice = trade.price;
    this.lastQty = trade.quantity;
    this.lastTradeTs = trade.ts;
  }

  /**
   * The time from which trades decide every ticker at or after `nowMs`: the first minute of its window.
   * The last trade before it gives prevClosePrice (and the price of a window without trades).
   */
  static windowStart(nowMs: number): number {
    return minuteWindowStart(nowMs, DAY_MS);
  }

  /** Binance's rolling 24-hour ticker ending at `nowMs`. */
  ticker(nowMs: number): Ticker24h {
    const windowStart = nowMs - DAY_MS;
    const fromMinute = RollingStats.windowStart(nowMs);
    const sum = this.#sum(fromMinute, nowMs);
    const { prevClose, volume, quoteVolume, firstId, lastId, count } = sum;
    let { open, high, low, last } = sum;
    let lastQty = 0;
    if (count === 0) {
      // No trade in the window: the price stands where the last trade left it.
      open = high = low = last = prevClose;
    } else if (lastId === this.buckets[this.buckets.length - 1]?.lastId) {
      lastQty = this.lastQty;
    }
    return {
      symbol: this.symbol,
      openPrice: open,
      highPrice: high,
      lowPrice: low,
      lastPrice: last,
      lastQty,
      prevClosePrice: prevClose,
      volume,
      quoteVolume,
      openTime: windowStart,
      closeTime: nowMs,
      firstId,
      lastId,
      count,
    };
  }

  /**
   * Binance's rolling window ticker (the `<symbol>@ticker_<window>` streams): the trades from the
   * minute `windowMs` before `nowMs` up to `nowMs`, so the window opens on a minute and is up to
   * 59,999 ms wider than asked. Exact: each minute bucket holds every trade of its minute. Prices are
   * 0 and ids -1 for a window without trades, as the REST rolling window ticker answers. Windows up to
   * a day (the buckets kept).
   */
  window(nowMs: number, windowMs: number): WindowTicker {
    if (windowMs > DAY_MS) throw new RangeError(`window ${windowMs} ms is longer than the day kept`);
    const from = minuteWindowStart(nowMs, windowMs);
    const { open, high, low, last, volume, quoteVolume, firstId, lastId, count } = this.#sum(from, nowMs);
    return {
      symbol: this.symbol,
      openTime: from,
      closeTime: nowMs,
      open,
      high,
      low,
      last,
      volume,
      quoteVolume,
      firstId,
      lastId,
      count,
    };
  }

  /**
   * The minute buckets from `fromMinute` through `nowMs`, summed: open, high, low and close, volumes,
   * first and last trade id, trade count (prices 0 and ids -1 when none traded), and the close of
   * the newest bucket before them (the previous close).
   */
  #sum(fromMinute: number, nowMs: number) {
    let prevClose = this.droppedClose;
    let open = 0;
    let high = 0;
    let low = 0;
    let last = 0;
    let volume = 0;
    let quoteVolume = 0;
    let firstId = -1;
    let lastId = -1;
    let count = 0;
    for (let i = this.head; i < this.buckets.length; i++) {
      const b = this.buckets[i]!;
      if (b.minute < fromMinute) {
        prevClose = b.close;
        continue;
      }
      if (b.minute > nowMs) break;
      if (count === 0) {
        open = b.open;
        high = b.high;
        low = b.low;
        firstId = b.firstId;
      }
      if (b.high > high) high = b.high;
      if (b.low < low) low = b.low;
      last = b.close;
      volume += b.volume;
      quoteVolume += b.quoteVolume;
      lastId = b.lastId;
      count += b.count;
    }
    return { prevClose, open, high, low, last, volume, quoteVolume, firstId, lastId, count };
  }

  /**
   * Volume-weighted average price of the last `minutes`, or the last price when nothing traded: the
   * engine values MARKET orders at the same figure (`engine/average-price.ts`), from the same window.
   */
  averagePrice(nowMs: number, minutes: number): { readonly price: Amount; readonly closeTime: number } {
    const fromMinute = averagePriceFromMinute(nowMs, minutes);
    let volume = 0;
    let quoteVolume = 0;
    let closeTime = this.lastTradeTs;
    for (let i = this.buckets.length - 1; i >= this.head; i--) {
      const b = this.buckets[i]!;
      if (b.minute < fromMinute) break;
      if (b.minute > nowMs) continue;
      if (volume === 0) closeTime = b.lastTs;
      volume += b.volume;
      quoteVolume += b.quoteVolume;
    }
    if (volume === 0) return { price: this.lastPrice, closeTime };
    return { price: mulDiv(quoteVolume, this.baseScale, volume, false), closeTime };
  }

  private evict(nowTs: number): void {
    const keepFrom = nowTs - DAY_MS - SLACK_MS;
    while (this.head < this.buckets.length - 1 && this.buckets[this.head]!.minute < keepFrom) {
      this.droppedClose = this.buckets[this.head]!.close;
      this.head++;
    }
    if (this.head > 512) {
      this.buckets.splice(0, this.head);
      this.head = 0;
    }
  }
}

/**
 * Where a rolling window of `windowMs` ending at `nowMs` starts, as Binance opens its rolling windows:
 * on a minute, so the window is up to 59,999 ms wider than asked.
 */
export function minuteWindowStart(nowMs: number, windowMs: number): number {
  return Math.floor((nowMs - windowMs) / MINUTE_MS) * MINUTE_MS;
}
