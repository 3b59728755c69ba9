import { mulDiv } from '../domain/amount.ts';
import { averagePriceFromMinute } from '../domain/symbol-filters.ts';

const MINUTE_MS = 60_000;

/** The saved form: the last price and the kept minutes, oldest first, as [minute, volume, quoteVolume]. */
export interface AveragePriceState {
  readonly lastPrice: number;
  readonly minutes: readonly (readonly [number, number, number])[];
}

/**
 * A market's volume-weighted average price over the last `minutes` minutes, from its trades and the
 * timestamps of the commands that made them (the engine has no clock of its own): what Binance values
 * a MARKET order's notional at. The same minute buckets and the same rounding as market data's
 * average price (`RollingStats.averagePrice`), so `/api/v3/avgPrice` shows the price orders are held to.
 *
 * A ring of `minutes` buckets: a trade in a new minute overwrites the oldest, which is then outside
 * every window the next command can ask about (command timestamps do not go back by a minute).
 */
export class AveragePriceWindow {
  /** The price of the last trade ever; 0 before the first. */
  lastPrice = 0;
  private readonly minute: number[];
  private readonly volume: number[];
  private readonly quoteVolume: number[];
  /** Index of the newest bucket; -1 while empty. */
  private newest = -1;
  private count = 0;

  readonly minutes: number;

  constructor(minutes: number) {
    this.minutes = minutes;
    this.minute = new Array<number>(minutes).fill(0);
    this.volume = new Array<number>(minutes).fill(0);
    this.quoteVolume = new Array<number>(minutes).fill(0);
  }

  add(ts: number, price: number, quantity: number, quote: number): void {
    const minute = Math.floor(ts / MINUTE_MS) * MINUTE_MS;
    let i = this.newest;
    // A trade stamped before the newest bucket's minute lands in it, as market data's buckets do.
    if (i === -1 || this.minute[i]! < minute) {
      i = (i + 1) % this.minutes;
      this.newest = i;
      if (this.count < this.minutes) this.count++;
      this.minute[i] = minute;
      this.volume[i] = 0;
      this.quoteVolume[i] = 0;
    }
    this.volume[i]! += quantity;
    this.quoteVolume[i]! += quote;
    this.lastPrice = price;
  }

  /** The average at `nowMs` in quote minor units per whole base unit; the last price when the window is empty. */
  price(nowMs: number, baseScale: number): number {
    const from = averagePriceFromMinute(nowMs, this.minutes);
    let volume = 0;
    let quoteVolume = 0;
    for (let k = 0; k < this.count; k++) {
      const i = (this.newest - k + this.minutes) % this.minutes;
      const minute = this.minute[i]!;
      if (minute < from) break;
      if (minute > nowMs) continue;
      volume += this.volume[i]!;
      quoteVolume += this.quoteVolume[i]!;
    }
    if (volume === 0) return this.lastPrice;
    return mulDiv(quoteVolume, baseScale, volume, false);
  }

  save(): AveragePriceState {
    const minutes: [number, number, number][] = [];
    for (let k = this.count - 1; k >= 0; k--) {
      const i = (this.newest - k + this.minutes) % this.minutes;
      minutes.push([this.minute[i]!, this.volume[i]!, this.quoteVolume[i]!]);
    }
    return { lastPrice: this.lastPrice, minutes };
  }

  restore(state: AveragePriceState): void {
    this.lastPrice = state.lastPrice;
    this.newest = -1;
    this.count = 0;
    for (const [minute, volume, quoteVolume] of state.minutes.slice(-this.minutes)) {
      this.newest = (this.newest + 1) % this.minutes;
      this.count++;
      this.minute[this.newest] = minute;
      this.volume[this.newest] = volume;
      this.quoteVolume[this.newest] = quoteVolume;
    }
  }
}
