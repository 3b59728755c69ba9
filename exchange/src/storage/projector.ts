import type { EngineEvent } from '../domain/events.ts';
import type { ReadModelWriter } from './read-model-port.ts';
import { type ReadModelBatchMessage, readModelBatchChannel } from './storage-channels.ts';

export interface ProjectorOptions {
  /**
   * A batch is cut at the first command boundary after this many events; everything published while
   * a batch is being applied goes into the next one, so batches grow with the load.
   * @default 16384
   */
  readonly maxBatchEvents?: number;
  /**
   * How long events gather before a batch goes to the port, unless a reader is waiting for them (then
   * at once). Fewer, larger batches cost the port far less than many small ones (one transaction and,
   * for a port on another thread, one wake-up per batch), and the read side is eventually consistent
   * anyway. 0 sends on the next turn of the event loop. @default 10
   */
  readonly gatherMs?: number;
  /**
   * Told once when the port fails to apply a batch. The projector then stops applying and ignores
   * further events: the log still holds them, and a restart resumes from the port's lastAppliedSeq.
   * @default - no callback; flush() rejects with the error
   */
  readonly onFault?: (error: unknown) => void;
}

/**
 * The read side's subscriber. The pipeline publishes each command's events in seq order and moves
 * on; the projector applies them to the port in batches, off the pipeline's path, one batch at a
 * time. It never blocks the engine: the projection lags under load and catches up.
 */
export class Projector {
  readonly #port: ReadModelWriter;
  readonly #maxBatchEvents: number;
  readonly #gatherMs: number;
  /** Cuts a gathering pause short when a reader starts waiting. */
  #hurry: (() => void) | undefined;
  readonly #onFault: ((error: unknown) => void) | undefined;
  #pending: EngineEvent[] = [];
  /** Where the next batch starts in #pending; batches advance it instead of copying the rest. */
  #head = 0;
  /** The seq of the last command published, with or without events. */
  #publishedSeq = 0;
  #appliedSeq = 0;
  #draining: Promise<void> | undefined;
  #fault: { readonly error: unknown } | undefined;
  /** Readers waiting for a position, in ascending order of it. */
  #waiters: { readonly seq: number; readonly resolve: () => void; readonly reject: (e: unknown) => void }[] =
    [];

  constructor(port: ReadModelWriter, options: ProjectorOptions = {}) {
    const maxBatchEvents = options.maxBatchEvents ?? 16_384;
    if (!Number.isSafeInteger(maxBatchEvents) || maxBatchEvents < 1) {
      throw new RangeError(`maxBatchEvents ${maxBatchEvents} is invalid: use a positive integer`);
    }
    this.#port = port;
    this.#maxBatchEvents = maxBatchEvents;
    const gatherMs = options.gatherMs ?? 10;
    if (!(Number.isFinite(gatherMs) && gatherMs >= 0)) {
      throw new RangeError(`gatherMs ${gatherMs} is invalid: use a finite number >= 0`);
    }
    this.#gatherMs = gatherMs;
    this.#onFault = options.onFault;
  }

  /** Reads the port's position; call once before publishing. Returns it. */
  async start(): Promise<number> {
    this.#appliedSeq = await this.#port.lastAppliedSeq();
    this.#publishedSeq = Math.max(this.#publishedSeq, this.#appliedSeq);
    return this.#appliedSeq;
  }

  /** The position the port has durably reached. */
  get appliedSeq(): number {
    return this.#appliedSeq;
  }

  /** The error that stopped the projection, if one did (for health). */
  get fault(): unknown {
    return this.#fault?.error;
  }

  get pendingEvents(): number {
    return this.#pending.length - this.#head;
  }

  /**
   * Hands over the events of one command (possibly none: pass its seq so the position can move past
   * it). Commands at or below the port's position are skipped by the port, so a replay may overlap.
   */
  publish(events: readonly EngineEvent[], seq: number = events[events.length - 1]?.seq ?? 0): void {
    if (this.#fault !== undefined) return;
    for (const event of events) {
      if (event.seq !== seq) {
        throw new RangeError(
          `event seq ${event.seq} differs from command seq ${seq}: publish one command at a time`,
        );
      }
      this.#pending.push(event);
    }
    if (seq > this.#publishedSeq) this.#publishedSeq = seq;
    this.#draining ??= this.#drain();
  }

  /**
   * Resolves once the port holds every command up to `seq` (read-your-writes for a caller whose
   * commands are acknowledged); rejects if the projector faulted. Woken by each applied batch, so a
   * waiting reader costs nothing until then.
   */
  whenApplied(seq: number): Promise<void> {
    if (this.#appliedSeq >= seq) return Promise.resolve();
    if (this.#fault !== undefined) return Promise.reject(this.#fault.error);
    return new Promise((resolve, reject) => {
      let at = this.#waiters.length;
      while (at > 0 && this.#waiters[at - 1]!.seq > seq) at--;
      this.#waiters.splice(at, 0, { seq, resolve, reject });
      this.#hurry?.();
    });
  }

  /** Waits for more events to join the batch: gatherMs, or less if a reader is waiting. */
  #gather(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.#waiters.length > 0 || this.#gatherMs === 0) {
        setImmediate(resolve);
        return;
      }
      const timer = setTimeout(go, this.#gatherMs);
      function go(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#hurry = () => {
        this.#hurry = undefined;
        setImmediate(go);
      };
    }).finally(() => {
      this.#hurry = undefined;
    });
  }

  /** Resolves once everything published so far is applied; rejects if the projector faulted. */
  async flush(): Promise<void> {
    while (this.#draining !== undefined) {
      // A flush waits like a reader: the batch being gathered is written now, not after gatherMs.
      this.#hurry?.();
      await this.#draining;
    }
    if (this.#fault !== undefined) throw this.#fault.error;
  }

  async #drain(): Promise<void> {
    try {
      while (
        this.#fault === undefined &&
        (this.#pending.length > 0 || this.#publishedSeq > this.#appliedSeq)
      ) {
        if (this.#pending.length - this.#head < this.#maxBatchEvents) await this.#gather();
        const batch = this.#takeBatch();
        const through = this.#pending.length === 0 ? this.#publishedSeq : batch[batch.length - 1]!.seq;
        const started = readModelBatchChannel.hasSubscribers ? performance.now() : 0;
        const result = await this.#port.apply(batch, through);
        this.#appliedSeq = result.lastAppliedSeq;
        if (readModelBatchChannel.hasSubscribers) {
          const message: ReadModelBatchMessage = {
            appliedSeq: result.lastAppliedSeq,
            events: batch.length,
            writeMs: performance.now() - started,
          };
          readModelBatchChannel.publish(message);
        }
        this.#wake();
      }
    } catch (error) {
      this.#fault = { error };
      this.#pending = [];
      this.#head = 0;
      for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
      this.#onFault?.(error);
    } finally {
      this.#draining = undefined;
    }
  }

  #wake(): void {
    let done = 0;
    while (done < this.#waiters.length && this.#waiters[done]!.seq <= this.#appliedSeq) {
      this.#waiters[done++]!.resolve();
    }
    if (done > 0) this.#waiters.splice(0, done);
  }

  /** Takes whole commands, at least maxBatchEvents events unless fewer are pending. */
  #takeBatch(): EngineEvent[] {
    const pending = this.#pending;
    const head = this.#head;
    let cut = head + this.#maxBatchEvents;
    while (cut < pending.length && pending[cut]!.seq === pending[cut - 1]!.seq) cut++;
    if (cut >= pending.length) {
      this.#pending = [];
      this.#head = 0;
      return head === 0 ? pending : pending.slice(head);
    }
    this.#head = cut;
    return pending.slice(head, cut);
  }
}
