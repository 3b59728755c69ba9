import type { Command, UnstampedCommand } from '../domain/commands.ts';
import type { EngineEvent } from '../domain/events.ts';
import type { MatchingEngine } from '../engine/engine.ts';
import type { LogAppender } from '../journal/log-port.ts';
import { encodeCommand } from './command-codec.ts';

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
}

interface Pending {
  readonly command: Command;
  readonly resolve: (result: CommandResult) => void;
  readonly reject: (error: unknown) => void;
  durable: boolean;
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
  private readonly pending: Pending[] = [];
  private head = 0;
  private lastSeq: number;
  private lastTs = 0;
  private failure: unknown = null;

  constructor(engine: MatchingEngine, log: LogAppender, options: SequencerOptions) {
    this.engine = engine;
    this.log = log;
    this.clock = options.clock;
    if (log.lastSeq() !== engine.lastSeq) {
      throw new Error(
        `the engine is at seq ${engine.lastSeq} but the log ends at ${log.lastSeq()}: recover before sequencing`,
      );
    }
    this.lastSeq = engine.lastSeq;
  }

  subscribe(listener: EventListener): void {
    this.listeners.push(listener);
  }

  /** Commands accepted for sequencing but not yet durable and applied. */
  inFlight(): number {
    return this.pending.length - this.head;
  }

  submit(unstamped: UnstampedCommand): Promise<CommandResult> {
    if (this.failure !== null)
      return Promise.reject(new SequencerStoppedError('the log failed; the sequencer stopped'));
    const seq = ++this.lastSeq;
    const now = this.clock();
    const ts = Math.max(now, this.lastTs);
    this.lastTs = ts;
    const command = { ...unstamped, seq, ts } as Command;
    return new Promise<CommandResult>((resolve, reject) => {
      const entry: Pending = { command, resolve, reject, durable: false };
      this.pending.push(entry);
      this.log.appendOne({ seq, ts, payload: encodeCommand(unstamped) }).then(
        () => {
          entry.durable = true;
          this.release();
        },
        (error: unknown) => this.fail(error),
      );
    });
  }

  /** Applies and acknowledges every durable command at the head of the queue, in order. */
  private release(): void {
    while (this.head < this.pending.length && this.pending[this.head]!.durable && this.failure === null) {
      const entry = this.pending[this.head++]!;
      const { command } = entry;
      let events: EngineEvent[];
      try {
        events = this.engine.apply(command);
      } catch (fault) {
        // The engine broke an invariant: nothing after this command can be trusted.
        entry.reject(fault);
        this.fail(fault);
        return;
      }
      for (const listener of this.listeners) listener(events, command);
      entry.resolve({ seq: command.seq, ts: command.ts, events });
    }
    if (this.head === this.pending.length) {
      this.pending.length = 0;
      this.head = 0;
    } else if (this.head > 4096) {
      this.pending.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The log could not make a record durable: which later ones reached the disk is unknown, so stop. */
  private fail(error: unknown): void {
    if (this.failure !== null) return;
    this.failure = error;
    for (let i = this.head; i < this.pending.length; i++) this.pending[i]!.reject(error);
    this.pending.length = 0;
    this.head = 0;
  }
}
