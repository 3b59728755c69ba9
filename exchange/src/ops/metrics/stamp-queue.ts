/**
 * The stamps (seq, ts) of commands applied but not yet projected, oldest first: the read model's lag
 * in seconds is the age of the oldest one. Two parallel number arrays with a moving head, so a
 * command costs two pushes and no object.
 */
export class StampQueue {
  #seqs: number[] = [];
  #stamps: number[] = [];
  #head = 0;

  push(seq: number, ts: number): void {
    this.#seqs.push(seq);
    this.#stamps.push(ts);
  }

  /** Forgets every stamp at or below `seq` (the projection has passed it). */
  dropThrough(seq: number): void {
    while (this.#head < this.#seqs.length && this.#seqs[this.#head]! <= seq) this.#head++;
    if (this.#head === this.#seqs.length) {
      this.#seqs = [];
      this.#stamps = [];
      this.#head = 0;
    } else if (this.#head > 4096) {
      this.#seqs = this.#seqs.slice(this.#head);
      this.#stamps = this.#stamps.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The stamp of the oldest command not yet passed, if any. */
  oldestTs(): number | undefined {
    return this.#head < this.#stamps.length ? this.#stamps[this.#head] : undefined;
  }
}
