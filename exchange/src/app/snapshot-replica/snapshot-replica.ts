import { Worker } from 'node:worker_threads';
import type { Command } from '../../domain/commands.ts';
import type { SnapshotSource } from '../../sequencer/snapshot-source.ts';
import { CommandFrameWriter } from './command-frames.ts';
import type { FromReplica, ReplicaStart, ToReplica } from './protocol.ts';

const WORKER = new URL('./replica-worker.ts', import.meta.url);
/** Commands go to the replica at least this often, so that a snapshot request finds little to apply. */
const FORWARD_EVERY_MS = 10;
const FORWARD_AT_BYTES = 256 * 1024;

/** The replica's answer to one request. */
type Reply = Exclude<FromReplica, { type: 'failed' }>;

interface Request {
  readonly settle: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
}

export interface SnapshotReplicaOptions extends ReplicaStart {
  /** Takes over when the replica fails: snapshots then come from this thread again. */
  readonly fallback: SnapshotSource;
  /** Told once, if the replica fails. */
  readonly onFailure?: (error: Error) => void;
}

/**
 * Snapshots taken off the exchange's thread, as exchange-core's journaling does: a replica engine on a
 * worker thread starts from the log at the exchange's position and is handed every command the
 * exchange applies after it (about a microsecond each to encode here, sent in batches every 10 ms).
 * Asked for a snapshot, it serializes and writes its own state as of the commands sent so far.
 * Serializing on this thread would stall every request for the length of a JSON.stringify of the
 * whole state: about 200 ms with 100,000 resting orders, over a second with 500,000.
 *
 * The replica costs a second copy of the engine's memory. If it fails (it should not: the engine is
 * deterministic), the fallback source takes over and the failure is reported once.
 */
export class SnapshotReplica implements SnapshotSource {
  readonly #worker: Worker;
  readonly #fallback: SnapshotSource;
  readonly #onFailure: ((error: Error) => void) | undefined;
  readonly #frames = new CommandFrameWriter();
  readonly #requests = new Map<number, Request>();
  #timer: NodeJS.Timeout | undefined;
  #nextId = 1;
  #forwardedSeq: number;
  #failure: Error | undefined;
  #closed = false;

  constructor(options: SnapshotReplicaOptions) {
    const start: ReplicaStart = {
      journalDir: options.journalDir,
      snapshotsDir: options.snapshotsDir,
      throughSeq: options.throughSeq,
    };
    this.#fallback = options.fallback;
    this.#onFailure = options.onFailure;
    this.#forwardedSeq = options.throughSeq;
    this.#worker = new Worker(WORKER, { workerData: start });
    // Like the read model's writer: it keeps the process alive only while a snapshot is pending.
    this.#worker.unref();
    this.#worker.on('message', (message: FromReplica) => this.#receive(message));
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => {
      if (!this.#closed) this.#fail(new Error(`the snapshot replica's thread exited (${code})`));
    });
  }

  /** Call with each command the exchange applies, in order. */
  forward(command: Command): void {
    if (this.#failure !== undefined || this.#closed) return;
    this.#frames.add(command);
    this.#forwardedSeq = command.seq;
    if (this.#frames.byteLength >= FORWARD_AT_BYTES) this.#send();
    else this.#timer ??= setTimeout(() => this.#send(), FORWARD_EVERY_MS).unref();
  }

  write(ts: number): Promise<number> {
    if (this.#failure !== undefined || this.#closed) return this.#fallback.write(ts);
    const expectedSeq = this.#forwardedSeq;
    const written = this.#request(
      (id) => ({ type: 'snapshot', id, ts }),
      (reply) => {
        if (reply.type === 'write-failed') throw new Error(reply.message);
        if (reply.type !== 'snapshotted') throw new Error(`unexpected answer ${reply.type} to snapshot`);
        if (reply.seq === expectedSeq) return reply.seq;
        const error = new Error(
          `the snapshot replica wrote seq ${reply.seq} where the exchange had sent ${expectedSeq}`,
        );
        this.#fail(error);
        throw error;
      },
    );
    return written.catch((error: unknown) => {
      // The replica failed while this one was pending: the fallback snapshots the state now. A
      // failed write alone (the disk) is the snapshotter's to report; the replica carries on.
      if (this.#failure !== undefined && !this.#closed) return this.#fallback.write(ts);
      throw error;
    });
  }

  /**
   * The replica's seq and state hash after every command forwarded so far: for a check at a clean
   * stop, since hashing the exchange's own state costs it a full serialization.
   */
  stateHash(): Promise<{ seq: number; hash: string }> {
    if (this.#failure !== undefined || this.#closed) {
      return Promise.reject(this.#failure ?? new Error('the snapshot replica was closed'));
    }
    return this.#request(
      (id) => ({ type: 'state-hash', id }),
      (reply) => {
        if (reply.type !== 'state-hash') throw new Error(`unexpected answer ${reply.type} to state-hash`);
        return { seq: reply.seq, hash: reply.hash };
      },
    );
  }

  /** The reason the replica stopped, if it did. */
  failure(): Error | undefined {
    return this.#failure;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#rejectPending(new Error('the snapshot replica was closed'));
    await this.#worker.terminate();
  }

  #send(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#frames.byteLength === 0 || this.#failure !== undefined) return;
    const frames = this.#frames.take();
    this.#post({ type: 'commands', frames }, [frames.buffer as ArrayBuffer]);
  }

  #post(message: ToReplica, transfer: ArrayBuffer[] = []): void {
    this.#worker.postMessage(message, transfer);
  }

  /**
   * Sends a request, behind every command forwarded so far; `settle` turns its answer into the
   * result or throws. The worker keeps the process alive while any request is unanswered.
   */
  #request<T>(message: (id: number) => ToReplica, settle: (reply: Reply) => T): Promise<T> {
    this.#send();
    const id = this.#nextId++;
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    this.#requests.set(id, {
      settle: (reply) => {
        try {
          resolve(settle(reply));
        } catch (error) {
          reject(error);
        }
      },
      reject,
    });
    this.#worker.ref();
    this.#post(message(id));
    return promise;
  }

  #receive(message: FromReplica): void {
    if (message.type === 'failed') {
      this.#fail(new Error(`the snapshot replica failed: ${message.message}`));
      return;
    }
    const request = this.#requests.get(message.id);
    if (request === undefined) return;
    this.#requests.delete(message.id);
    if (this.#requests.size === 0) this.#worker.unref();
    request.settle(message);
  }

  #fail(error: Error): void {
    if (this.#failure !== undefined || this.#closed) return;
    this.#failure = error;
    clearTimeout(this.#timer);
    this.#rejectPending(error);
    this.#onFailure?.(error);
    void this.#worker.terminate();
  }

  #rejectPending(error: Error): void {
    for (const request of this.#requests.values()) request.reject(error);
    this.#requests.clear();
  }
}
