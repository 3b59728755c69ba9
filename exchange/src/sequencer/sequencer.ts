import type { Command, UnstampedCommand } from '../domain/commands.ts';
import type { EngineEvent } from '../domain/events.ts';
import type { MatchingEngine } from '../engine/engine.ts';
import type { LogAppender } from '../journal/log-port.ts';
import { encodeCommandTransient } from './command-codec.ts';
import { type CommandAppliedMessage, commandAppliedChannel } from './sequencer-channels.ts';

/** What the sender of a command hears back, once the command is durable and applied. */
export interface CommandResult {
  readonly seq: number;
  readonly ts: number;
  readonly events: readonly EngineEvent[];
}

/** Called with each command's events, in sequence order, after the command is durable. */
export type EventListener = (events: readonly EngineEvent[], command: Command) => void;

export interface SequencerOptions {
  /** The only clock of the pipeline; stamps are kept non-decreasing even if it steps back. */
  readonly clock: () => number;
  /**
   * Told once, with the cause, when the sequencer stops for good: the log failed to make a command
   * durable (`JournalIoError`), or the engine broke an invariant. @default - no callback
   */
  readonly onStop?: (cause: unknown) => void;
  /**
   * The seq of the first command this sequencer stamps, when it must be later than the one after
   * the log's end: seqs that a lost tail of the log had already issued are never issued again.
   * @default - the log's last seq + 1
   */
  readonly firstSeq?: number;
}

/** Told once: with the result when the command is durable and applied, or with the error that stopped it. */
export type ResultCallback = (error: unknown, result: CommandResult | undefined) => void;

interface Batch {
  readonly promise: Promise<void>;
  lastSeq: number;
  settled: boolean;
}

export class SequencerStoppedError extends Error {
  readonly code = 'SEQUENCER_STOPPED';
}

/**
 * The single writer. It stamps each command with the next sequence number and the time, appends it
 * to the log, and once the log says it is durable hands it to the engine and publishes its events.
 * A sender hears "accepted" (or "rejected") only after that: nothing acknowledged can be lost.
 *
 * Appends are not awaited one by one: the log batches them (group commit), and results are released
 * strictly in sequence order, whatever order the log's promises settle in.
 */
export class Sequencer {
  private readonly engine: MatchingEngine;
  private readonly log: LogAppender;
  private readonly clock: () => number;
  private readonly listeners: EventListener[] = [];
  // Commands awaiting durability and their callbacks, side by side: no wrapper object per command.
  private readonly pending: Command[] = [];
  private readonly callbacks: ResultCallback[] = [];
  private head = 0;
  private readonly batches: Batch[] = [];
  /** Every command up to this seq is durable. */
  private durableSeq: number;
  private lastSeq: number;
  private lastTs = 0;
  private failure: unknown = null;
  /** Trace contexts of the pending commands that carry one, by seq (few: only sampled requests). */
  private readonly contexts = new Map<number, Uint8Array>();
  private readonly onStop: ((cause: unknown) => void) | undefined;

  constructor(engine: MatchingEngine, log: LogAppender, options: SequencerOptions) {
    this.engine = engine;
    this.log = log;
    this.clock = options.clock;
    this.onStop = options.onStop;
    if (log.lastSeq() !== engine.lastSeq) {
      throw new Error(
        `the engine is at seq ${engine.lastSeq} but the log ends at ${log.lastSeq()}: recover before sequencing`,
      );
    }
    const firstSeq = options.firstSeq ?? engine.lastSeq + 1;
    if (!Number.isSafeInteger(firstSeq) || firstSeq <= engine.lastSeq) {
      throw new RangeError(
        `firstSeq ${firstSeq} is invalid: it must follow the log's last seq ${engine.lastSeq}`,
      );
    }
    this.lastSeq = firstSeq - 1;
    this.durableSeq = engine.lastSeq;
  }

  /** Why the sequencer stopped taking commands, or undefined while it runs. */
  stoppedBy(): unknown {
    return this.failure === null ? undefined : this.failure;
  }

  subscribe(listener: EventListener): void {
    this.listeners.push(listener);
  }

  /** Commands accepted for sequencing but not yet durable and applied. */
  inFlight(): number {
    return this.pending.length - this.head;
  }

  /**
   * Sequences a command. The sequencer takes the object over: it is stamped in place with its seq
   * and ts (after its log record is encoded), which saves a copy per command on the hot path.
   */
  submit(unstamped: UnstampedCommand): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      this.submitWith(unstamped, (error, result) => (result === undefined ? reject(error) : resolve(result)));
    });
  }

  /**
   * `submit` with a callback instead of a promise: no promise and no microtask per command.
   * `context` (a trace's traceparent) is logged beside the command and published with its apply.
   */
  submitWith(unstamped: UnstampedCommand, done: ResultCallback, context?: Uint8Array): void {
    if (this.failure !== null) {
      done(new SequencerStoppedError('the log failed; the sequencer stopped'), undefined);
      return;
    }
    const seq = ++this.lastSeq;
    const ts = Math.max(this.clock(), this.lastTs);
    this.lastTs = ts;
    const payload = encodeCommandTransient(unstamped);
    const command = unstamped as { seq: number; ts: number } & UnstampedCommand;
    command.seq = seq;
    command.ts = ts;
    this.pending.push(command as Command);
    this.callbacks.push(done);
    if (context === undefined) {
      this.track(this.log.appendOne({ seq, ts, payload }), seq);
      return;
    }
    this.contexts.set(seq, context);
    this.track(this.log.appendOne({ seq, ts, payload, context }), seq);
  }

  /**
   * A log that batches (group commit) hands every record of a batch the same promise; one handler
   * per distinct promise, not per record, marks the batch durable. Batches are released strictly in
   * order, so a later batch settling first never lets an earlier one through early.
   */
  private track(durable: Promise<void>, seq: number): void {
    const newest = this.batches[this.batches.length - 1];
    if (newest !== undefined && newest.promise === durable) {
      newest.lastSeq = seq;
      return;
    }
    const batch: Batch = { promise: durable, lastSeq: seq, settled: false };
    this.batches.push(batch);
    durable.then(
      () => {
        batch.settled = true;
        while (this.batches.length > 0 && this.batches[0]!.settled) {
          this.durableSeq = this.batches.shift()!.lastSeq;
        }
        this.release();
      },
      (error: unknown) => this.fail(error),
    );
  }

  /** Applies and acknowledges every durable command at the head of the queue, in order. */
  private release(): void {
    while (this.head < this.pending.length && this.failure === null) {
      const command = this.pending[this.head]!;
      if (command.seq > this.durableSeq) break;
      const done = this.callbacks[this.head]!;
      this.head++;
      let events: EngineEvent[];
      // Observed only while someone listens: otherwise no clock read and no message per command.
      const observed = commandAppliedChannel.hasSubscribers;
      const started = observed ? performance.now() : 0;
      try {
        events = this.engine.apply(command);
      } catch (fault) {
        // The engine broke an invariant: nothing after this command can be trusted.
        done(fault, undefined);
        this.fail(fault);
        return;
      }
      const context = this.contexts.size === 0 ? undefined : this.contexts.get(command.seq);
      if (context !== undefined) this.contexts.delete(command.seq);
      if (observed) {
        const message: CommandAppliedMessage = {
          command,
          events,
          context,
          applyMs: performance.now() - started,
          appliedAtMs: this.clock(),
          inFlight: this.pending.length - this.head,
        };
        commandAppliedChannel.publish(message);
      }
      for (const listener of this.listeners) listener(events, command);
      done(null, { seq: command.seq, ts: command.ts, events });
    }
    if (this.head === this.pending.length) {
      this.pending.length = 0;
      this.callbacks.length = 0;
      this.head = 0;
    } else if (this.head > 4096) {
      this.pending.splice(0, this.head);
      this.callbacks.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The log could not make a record durable: which later ones reached the disk is unknown, so stop. */
  private fail(error: unknown): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.contexts.clear();
    this.onStop?.(error);
    for (let i = this.head; i < this.callbacks.length; i++) this.callbacks[i]!(error, undefined);
    this.pending.length = 0;
    this.callbacks.length = 0;
    this.head = 0;
    this.batches.length = 0;
  }
}
