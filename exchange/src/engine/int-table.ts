/**
 * A hash table from safe non-negative integers (order ids, prices) to values: open addressing with
 * linear probing over a Float64Array of keys, and backward-shift deletion, so that a delete leaves no
 * tombstone behind.
 *
 * Why not a Map: a book churns (every move deletes one entry and adds another), and V8's Map keeps
 * deleted entries until it rehashes the whole table, a pause of tens of microseconds that lands on
 * about one operation in a thousand: the p99.9. Keys past 2^31 (prices in minor units) are also boxed
 * as heap numbers on every Map call; a Float64Array holds them unboxed.
 *
 *   keys    [ 7 | 8 | -1 | 12 | ...]   -1 marks a free slot; a key's home is fib-hash(key) & mask
 *   values  [o7 |o8 |    |o12 | ...]
 */
const FREE = -1;
const MIN_CAPACITY = 16;

export class IntTable<V> {
  private keys: Float64Array;
  private values: (V | undefined)[];
  private mask: number;
  private shift: number;
  private count = 0;

  constructor(capacity = MIN_CAPACITY) {
    let size = MIN_CAPACITY;
    while (size < capacity * 2) size *= 2;
    this.keys = new Float64Array(size).fill(FREE);
    this.values = new Array<V | undefined>(size).fill(undefined);
    this.mask = size - 1;
    this.shift = 32 - Math.log2(size);
  }

  get size(): number {
    return this.count;
  }

  /** Fibonacci hashing of the key's two 32-bit halves: consecutive ids spread over the table. */
  private home(key: number): number {
    const low = key >>> 0;
    const high = (key / 4294967296) >>> 0;
    return Math.imul(low ^ Math.imul(high, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  get(key: number): V | undefined {
    const keys = this.keys;
    const mask = this.mask;
    for (let i = this.home(key); ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === key) return this.values[i];
      if (k === FREE) return undefined;
    }
  }

  has(key: number): boolean {
    return this.get(key) !== undefined;
  }

  /** Adds or replaces; `value` must not be undefined. */
  set(key: number, value: V): void {
    const keys = this.keys;
    const mask = this.mask;
    for (let i = this.home(key); ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === key) {
        this.values[i] = value;
        return;
      }
      if (k === FREE) {
        keys[i] = key;
        this.values[i] = value;
        if (++this.count * 2 > keys.length) this.grow();
        return;
      }
    }
  }

  delete(key: number): boolean {
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    let i = this.home(key);
    for (; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === key) break;
      if (k === FREE) return false;
    }
    // Backward shift: pull later members of the probe run into the hole, while their home allows.
    let hole = i;
    for (let j = (hole + 1) & mask; keys[j] !== FREE; j = (j + 1) & mask) {
      const home = this.home(keys[j]!);
      // Whether j's home lies cyclically in (hole, j]: if not, j may move back into the hole.
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!stays) {
        keys[hole] = keys[j]!;
        values[hole] = values[j];
        hole = j;
      }
    }
    keys[hole] = FREE;
    values[hole] = undefined;
    this.count--;
    return true;
  }

  /** Every value, in no particular order. */
  *allValues(): IterableIterator<V> {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== FREE) yield this.values[i]!;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const size = oldKeys.length * 2;
    this.keys = new Float64Array(size).fill(FREE);
    this.values = new Array<V | undefined>(size).fill(undefined);
    this.mask = size - 1;
    this.shift = 32 - Math.log2(size);
    this.count = 0;
    for (let i = 0; i < oldKeys.length; i++) if (oldKeys[i] !== FREE) this.set(oldKeys[i]!, oldValues[i]!);
  }
}
