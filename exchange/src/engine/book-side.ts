import type { Side } from '../domain/market.ts';
import type { RestingOrder } from './order.ts';
import { PriceLevel } from './price-level.ts';

/**
 * One side of a book: price levels in a sorted array with the best price LAST, so that taking or
 * emptying the best level is a pop, and new levels, which mostly arrive near the top of the book, are
 * spliced in close to the end. A binary search finds a level by price; with levels clustered near the
 * top of the book that beats a hash map, whose keys (prices past 2^31) would each be boxed.
 *
 *   bids: [99, 100, 101]   best bid 101 at the end
 *   asks: [104, 103, 102]  best ask 102 at the end
 */
export class BookSide {
  readonly side: Side;
  private readonly levels: PriceLevel[] = [];

  constructor(side: Side) {
    this.side = side;
  }

  best(): PriceLevel | undefined {
    return this.levels[this.levels.length - 1];
  }

  levelCount(): number {
    return this.levels.length;
  }

  /** Levels from the best outward. */
  *levelsFromBest(): IterableIterator<PriceLevel> {
    for (let i = this.levels.length - 1; i >= 0; i--) yield this.levels[i]!;
  }

  add(order: RestingOrder): void {
    const index = this.insertionIndex(order.price);
    let level = this.levels[index];
    if (level === undefined || level.price !== order.price) {
      level = new PriceLevel(order.price);
      this.levels.splice(index, 0, level);
    }
    level.append(order);
  }

  remove(order: RestingOrder): void {
    const level = order.level!;
    level.remove(order);
    if (level.orderCount === 0) this.dropLevel(level);
  }

  /** Lowers a resting order's remaining quantity after a partial fill. */
  reduce(order: RestingOrder, quantity: number): void {
    order.remaining -= quantity;
    order.level!.totalQuantity -= quantity;
  }

  private dropLevel(level: PriceLevel): void {
    const last = this.levels.length - 1;
    if (this.levels[last] === level) {
      this.levels.pop();
      return;
    }
    this.levels.splice(this.indexOf(level.price), 1);
  }

  /** True when `a` is a better price than `b` on this side. */
  private better(a: number, b: number): boolean {
    return this.side === 'BUY' ? a > b : a < b;
  }

  /** Index of the first level whose price is not worse than `price`'s position, by binary search. */
  private insertionIndex(price: number): number {
    let lo = 0;
    let hi = this.levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.better(price, this.levels[mid]!.price)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private indexOf(price: number): number {
    const index = this.insertionIndex(price);
    if (this.levels[index]?.price !== price) throw new Error(`book invariant broken: no level at ${price}`);
    return index;
  }
}
