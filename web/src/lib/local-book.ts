import { compare } from './decimal.ts';

/** A diff from `<symbol>@depth`: bids and asks as [price, quantity]; quantity "0" removes the level. */
export interface DepthUpdate {
  readonly U: number;
  readonly u: number;
  readonly b: readonly (readonly [string, string])[];
  readonly a: readonly (readonly [string, string])[];
}

export interface DepthSnapshot {
  readonly lastUpdateId: number;
  readonly bids: readonly (readonly [string, string])[];
  readonly asks: readonly (readonly [string, string])[];
}

export type Level = readonly [price: string, quantity: string];

/**
 * A local order book kept with Binance's procedure: buffer the stream's diffs, load a REST snapshot,
 * drop the diffs it already holds, then apply each next diff only if it starts right after the last
 * one (U = previous u + 1). A gap means something was missed: the book says so and must be reloaded.
 */
export class LocalBook {
  readonly #bids = new Map<string, string>();
  readonly #asks = new Map<string, string>();
  #buffered: DepthUpdate[] = [];
  #lastUpdateId: number | undefined;

  get ready(): boolean {
    return this.#lastUpdateId !== undefined;
  }

  get lastUpdateId(): number | undefined {
    return this.#lastUpdateId;
  }

  /** Forgets everything: call before loading a new snapshot after a gap or a reconnect. */
  reset(): void {
    this.#bids.clear();
    this.#asks.clear();
    this.#buffered = [];
    this.#lastUpdateId = undefined;
  }

  /** Applies a diff, or buffers it until a snapshot is loaded. False means a gap: reload. */
  update(diff: DepthUpdate): boolean {
    if (this.#lastUpdateId === undefined) {
      this.#buffered.push(diff);
      return true;
    }
    if (diff.u <= this.#lastUpdateId) return true;
    if (diff.U > this.#lastUpdateId + 1) return false;
    this.#apply(diff);
    return true;
  }

  /**
   * Loads a snapshot and replays the buffered diffs after it. False if the snapshot is older than
   * the buffer's first diff (fetch it again) or the buffer has a gap.
   */
  load(snapshot: DepthSnapshot): boolean {
    const first = this.#buffered[0];
    if (first !== undefined && snapshot.lastUpdateId < first.U - 1) return false;
    this.#bids.clear();
    this.#asks.clear();
    for (const [price, qty] of snapshot.bids) this.#bids.set(price, qty);
    for (const [price, qty] of snapshot.asks) this.#asks.set(price, qty);
    this.#lastUpdateId = snapshot.lastUpdateId;
    const pending = this.#buffered;
    this.#buffered = [];
    for (const diff of pending) if (!this.update(diff)) return false;
    return true;
  }

  /** The best `depth` bids, highest first. */
  bids(depth: number): Level[] {
    return best(this.#bids, depth, (a, b) => compare(b, a));
  }

  /** The best `depth` asks, lowest first. */
  asks(depth: number): Level[] {
    return best(this.#asks, depth, compare);
  }

  #apply(diff: DepthUpdate): void {
    for (const [price, qty] of diff.b) set(this.#bids, price, qty);
    for (const [price, qty] of diff.a) set(this.#asks, price, qty);
    this.#lastUpdateId = diff.u;
  }
}

function set(side: Map<string, string>, price: string, qty: string): void {
  if (compare(qty, '0') === 0) side.delete(price);
  else side.set(price, qty);
}

function best(side: Map<string, string>, depth: number, order: (a: string, b: string) => number): Level[] {
  return [...side.keys()]
    .sort(order)
    .slice(0, depth)
    .map((price) => [price, side.get(price)!] as const);
}
