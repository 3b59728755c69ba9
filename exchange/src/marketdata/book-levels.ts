import type { Amount } from '../domain/amount.ts';
import type { Side } from '../domain/market.ts';
import type { PriceLevelRow } from './market-data-view.ts';

/**
 * One side of a mirrored book as aggregated levels: a price-sorted array with the best price LAST (as
 * the engine keeps its own), so the top of the book is read from the end and most inserts and removals
 * happen near it; a map gives each level's quantity by price.
 *
 *   bids: [99, 100, 101]   best bid 101 at the end
 *   asks: [104, 103, 102]  best ask 102 at the end
 */
export class BookLevels {
  readonly side: Side;
  private readonly prices: Amount[] = [];
  private readonly quantities = new Map<Amount, Amount>();

  constructor(side: Side) {
    this.side = side;
  }

  get size(): number {
    return this.prices.length;
  }

  quantityAt(price: Amount): Amount {
    return this.quantities.get(price) ?? 0;
  }

  /** The best level, or undefined when the side is empty. */
  bestPrice(): Amount | undefined {
    return this.prices[this.prices.length - 1];
  }

  /** Adds `delta` (negative to take away) at `price` and returns the level's new quantity. */
  adjust(price: Amount, delta: number): Amount {
    const before = this.quantities.get(price);
    const after = (before ?? 0) + delta;
    if (after < 0) throw new Error(`level ${price} on ${this.side} would go negative (${after})`);
    if (after === 0) {
      if (before !== undefined) {
        this.quantities.delete(price);
        this.prices.splice(this.indexOf(price), 1);
      }
      return 0;
    }
    if (before === undefined) this.prices.splice(this.insertionIndex(price), 0, price);
    this.quantities.set(price, after);
    return after;
  }

  /** Up to `limit` levels, best first. */
  top(limit: number): PriceLevelRow[] {
    const rows: PriceLevelRow[] = [];
    for (let i = this.prices.length - 1; i >= 0 && rows.length < limit; i--) {
      const price = this.prices[i]!;
      rows.push([price, this.quantities.get(price)!]);
    }
    return rows;
  }

  private better(a: Amount, b: Amount): boolean {
    return this.side === 'BUY' ? a > b : a < b;
  }

  private insertionIndex(price: Amount): number {
    let lo = 0;
    let hi = this.prices.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.better(price, this.prices[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private indexOf(price: Amount): number {
    const index = this.insertionIndex(price);
    if (this.prices[index] !== price) throw new Error(`no level ${price} on ${this.side}`);
    return index;
  }
}
