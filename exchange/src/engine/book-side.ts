import type { Side } from '../domain/market.ts';
import { IntTable } from './int-table.ts';
import type { RestingOrder } from './order.ts';
import { PriceLevel } from './price-level.ts';

/** Levels per chunk before it splits: small enough that shifting inside a chunk is cheap. */
const CHUNK = 64;
/** Emptied levels kept for reuse: a book that moves orders makes and drops levels all the time. */
const SPARE_LEVELS = 256;

/**
 * One side of a book: its price levels, sorted from the worst price to the best, in chunks of at most
 * CHUNK levels, so that the best level is the last of the last chunk (taking it is a pop) and adding
 * or dropping a level shifts at most one chunk rather than the whole side.
 *
 *   bids: [[97, 98], [99, 100, 101]]     best bid 101 at the very end
 *   asks: [[105, 104], [103, 102]]       best ask 102 at the very end
 *
 * An order joining a price that already has a level finds it in a hash table by price; only a new
 * level needs the binary search over the chunks' last prices, then within one chunk, for its place.
 */
export class BookSide {
  readonly side: Side;
  private readonly chunks: PriceLevel[][] = [];
  private readonly byPrice = new IntTable<PriceLevel>();
  private readonly spare: PriceLevel[] = [];
  /** 1 for bids (higher is better), -1 for asks: `better` is one multiplication, not a string compare. */
  private readonly direction: number;

  constructor(side: Side) {
    this.side = side;
    this.direction = side === 'BUY' ? 1 : -1;
  }

  best(): PriceLevel | undefined {
    const last = this.chunks[this.chunks.length - 1];
    return last === undefined ? undefined : last[last.length - 1];
  }

  levelCount(): number {
    return this.byPrice.size;
  }

  /** Levels from the best outward. */
  *levelsFromBest(): IterableIterator<PriceLevel> {
    for (let c = this.chunks.length - 1; c >= 0; c--) {
      const chunk = this.chunks[c]!;
      for (let i = chunk.length - 1; i >= 0; i--) yield chunk[i]!;
    }
  }

  add(order: RestingOrder): void {
    const price = order.price;
    const existing = this.byPrice.get(price);
    if (existing !== undefined) {
      existing.append(order);
      return;
    }
    const level = this.spare.pop()?.reset(price) ?? new PriceLevel(price);
    this.byPrice.set(price, level);
    this.insertLevel(level);
    level.append(order);
  }

  /** Puts a new level in its sorted place. */
  private insertLevel(level: PriceLevel): void {
    const price = level.price;
    const chunks = this.chunks;
    let c = this.chunkFor(price);
    if (c === chunks.length) {
      // Better than every level: it goes at the end of the last chunk.
      c = chunks.length - 1;
      if (c < 0) {
        chunks.push([]);
        c = 0;
      }
    }
    const chunk = chunks[c]!;
    const index = this.indexIn(chunk, price);
    if (index === chunk.length) chunk.push(level);
    else chunk.splice(index, 0, level);
    if (chunk.length > CHUNK) chunks.splice(c + 1, 0, chunk.splice(CHUNK / 2));
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
    const chunks = this.chunks;
    const last = chunks[chunks.length - 1]!;
    let c: number;
    let chunk: PriceLevel[];
    if (last[last.length - 1] === level) {
      c = chunks.length - 1;
      chunk = last;
      chunk.pop();
    } else {
      c = this.chunkFor(level.price);
      chunk = chunks[c]!;
      const index = this.indexIn(chunk, level.price);
      if (chunk[index] !== level) throw new Error(`book invariant broken: no level at ${level.price}`);
      chunk.splice(index, 1);
    }
    this.byPrice.delete(level.price);
    if (this.spare.length < SPARE_LEVELS) this.spare.push(level);
    if (chunk.length === 0) chunks.splice(c, 1);
  }

  /** True when `a` is a better price than `b` on this side. */
  private better(a: number, b: number): boolean {
    return (a - b) * this.direction > 0;
  }

  /** The first chunk whose last (best) level is not worse than `price`; chunks.length if none. */
  private chunkFor(price: number): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = chunks[mid]!;
      if (this.better(price, chunk[chunk.length - 1]!.price)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index in `chunk` of the first level not worse than `price`. */
  private indexIn(chunk: PriceLevel[], price: number): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.better(price, chunk[mid]!.price)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
