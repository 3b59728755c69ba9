/**
 * The embedded composition root: one process, one machine. The file journal, the snapshot folder and
 * the SQLite read model sit in one data folder; this is the only module that knows which adapters
 * the embedded mode uses.
 */
import { join } from 'node:path';
import type { UnstampedCommand } from '../domain/commands.ts';
import type { MatchingEngine } from '../engine/engine.ts';
import { FileJournal } from '../journal/file/file-journal.ts';
import { SnapshotStore } from '../journal/snapshots/snapshot-store.ts';
import { type Recovery, recoverEngine } from '../sequencer/recover.ts';
import { type CommandResult, Sequencer } from '../sequencer/sequencer.ts';
import { inThreadSnapshots, type SnapshotSource } from '../sequencer/snapshot-source.ts';
import { type SnapshotPolicy, Snapshotter } from '../sequencer/snapshotter.ts';
import { Projector } from '../storage/projector.ts';
import { ThreadedSqliteReadModel } from '../storage/sqlite/threaded-sqlite-read-model.ts';
import { SnapshotReplica } from './snapshot-replica/snapshot-replica.ts';
import { readModelTradesThrough } from './trades-through.ts';

export interface EmbeddedExchangeOptions {
  /** Holds journal/, snapshots/ and read-model.sqlite; created if missing. */
  readonly dataDir: string;
  /** Group-commit window of the journal. @default 0 (see FileJournalOptions) */
  readonly batchWindowMs?: number;
  /** Journal segment size. @default 64 MiB */
  readonly segmentBytes?: number;
  readonly snapshots?: SnapshotPolicy;
  /**
   * Delete journal segments and snapshots that newer snapshots make redundant. Off keeps the whole
   * history, so the read model can always be rebuilt from the first command. @default true
   */
  readonly pruneJournal?: boolean;
  /** The sequencer's clock. @default Date.now */
  readonly clock?: () => number;
  /**
   * Take snapshots from a replica of the engine on a worker thread, so that serializing the state
   * never stalls the exchange's loop; off takes them on this thread. @default true
   */
  readonly snapshotsOffThread?: boolean;
  /** Told if the snapshot replica fails and snapshots fall back to this thread. */
  readonly onSnapshotReplicaFailure?: (error: Error) => void;
}

export class EmbeddedExchange {
  readonly engine: MatchingEngine;
  readonly journal: FileJournal;
  readonly snapshots: SnapshotStore;
  readonly readModel: ThreadedSqliteReadModel;
  readonly projector: Projector;
  readonly sequencer: Sequencer;
  readonly snapshotter: Snapshotter;
  readonly recovery: Recovery;
  /** Undefined when snapshots are taken on this thread. */
  readonly snapshotReplica: SnapshotReplica | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly clock: () => number;
  /** Snapshots of the engine on this thread: the replica's fallback. */
  private readonly inThreadSnapshots: SnapshotSource;
  private readonly onSnapshotReplicaFailure: ((error: Error) => void) | undefined;

  private constructor(parts: {
    engine: MatchingEngine;
    journal: FileJournal;
    snapshots: SnapshotStore;
    readModel: ThreadedSqliteReadModel;
    projector: Projector;
    sequencer: Sequencer;
    snapshotter: Snapshotter;
    recovery: Recovery;
    snapshotReplica: SnapshotReplica | undefined;
    clock: () => number;
    inThreadSnapshots: SnapshotSource;
    onSnapshotReplicaFailure: ((error: Error) => void) | undefined;
  }) {
    this.engine = parts.engine;
    this.journal = parts.journal;
    this.snapshots = parts.snapshots;
    this.readModel = parts.readModel;
    this.projector = parts.projector;
    this.sequencer = parts.sequencer;
    this.snapshotter = parts.snapshotter;
    this.recovery = parts.recovery;
    this.snapshotReplica = parts.snapshotReplica;
    this.clock = parts.clock;
    this.inThreadSnapshots = parts.inThreadSnapshots;
    this.onSnapshotReplicaFailure = parts.onSnapshotReplicaFailure;
    this.timer = setInterval(() => this.snapshotter.tick(), 1_000);
    this.timer.unref();
  }

  /**
   * Opens the data folder and recovers: the journal cuts a torn tail, the engine loads the newest
   * valid snapshot the projection has passed and replays the rest, and the projection catches up on
   * the way.
   */
  static async open(options: EmbeddedExchangeOptions): Promise<EmbeddedExchange> {
    const clock = options.clock ?? Date.now;
    const journalDir = join(options.dataDir, 'journal');
    const snapshotsDir = join(options.dataDir, 'snapshots');
    const journal = await FileJournal.open({
      dir: journalDir,
      ...(options.batchWindowMs !== undefined && { batchWindowMs: options.batchWindowMs }),
      ...(options.segmentBytes !== undefined && { segmentBytes: options.segmentBytes }),
    });
    const snapshots = await SnapshotStore.open(snapshotsDir);
    // The projection's writes run on their own thread, off the loop that serves the API.
    const readModel = await ThreadedSqliteReadModel.open({
      path: join(options.dataDir, 'read-model.sqlite'),
    });
    const projector = new Projector(readModel);
    const projected = await projector.start();
    const recovery = await recoverEngine(journal, snapshots, {
      notAfterSeq: projected,
      eventsAfterSeq: projected,
      onReplayed: (events, command) => projector.publish(events, command.seq),
      // A snapshot written before trade ids ran per market is upgraded from the read model's trades.
      tradesThrough: (seq) => readModelTradesThrough(readModel, seq),
    });
    const { engine } = recovery;
    const sequencer = new Sequencer(engine, journal, { clock });
    const inThread = inThreadSnapshots(engine, snapshots);
    // The upgraded state, written in the current format before the replica starts from the newest
    // snapshot: neither it nor a later start needs the old one again.
    if (recovery.upgradedFrom !== undefined) await inThread.write(clock());
    const snapshotReplica =
      options.snapshotsOffThread === false
        ? undefined
        : new SnapshotReplica({
            journalDir,
            snapshotsDir,
            throughSeq: engine.lastSeq,
            fallback: inThread,
            ...(options.onSnapshotReplicaFailure !== undefined && {
              onFailure: options.onSnapshotReplicaFailure,
            }),
          });
    const snapshotter = new Snapshotter(snapshots, journal, {
      ...options.snapshots,
      prune: options.pruneJournal ?? true,
      clock,
      consumedSeq: () => projector.appliedSeq,
      source: snapshotReplica ?? inThread,
    });
    sequencer.subscribe((events, command) => {
      projector.publish(events, command.seq);
      // Before the snapshotter, whose snapshot must include this command.
      snapshotReplica?.forward(command);
      snapshotter.afterCommand();
    });
    return new EmbeddedExchange({
      engine,
      journal,
      snapshots,
      readModel,
      projector,
      sequencer,
      snapshotter,
      recovery,
      snapshotReplica,
      clock,
      inThreadSnapshots: inThread,
      onSnapshotReplicaFailure: options.onSnapshotReplicaFailure,
    });
  }

  /**
   * At a clean stop, where a stall no longer matters: the replica must hold exactly this engine's
   * state. If it does not, that is reported and the final snapshot is written again from here.
   */
  private async checkSnapshotReplica(): Promise<void> {
    const replica = this.snapshotReplica;
    if (replica === undefined || replica.failure() !== undefined) return;
    // A replica that fails now has reported it already; the final snapshot then came from here.
    const theirs = await replica.stateHash().catch(() => undefined);
    if (theirs === undefined) return;
    const ours = { seq: this.engine.lastSeq, hash: this.engine.stateHash() };
    if (theirs.seq === ours.seq && theirs.hash === ours.hash) return;
    this.onSnapshotReplicaFailure?.(
      new Error(
        `the snapshot replica's state at seq ${theirs.seq} (${theirs.hash}) differs from the exchange's at seq ${ours.seq} (${ours.hash}): the final snapshot is written again from the exchange's thread`,
      ),
    );
    await this.inThreadSnapshots.write(this.clock());
  }

  submit(command: UnstampedCommand): Promise<CommandResult> {
    return this.sequencer.submit(command);
  }

  /** Drains: waits for in-flight commands, the projection and a final snapshot, then closes the files. */
  async close(options: { finalSnapshot?: boolean } = {}): Promise<void> {
    clearInterval(this.timer);
    while (this.sequencer.inFlight() > 0) await new Promise((resolve) => setImmediate(resolve));
    await this.projector.flush();
    if (options.finalSnapshot ?? true) await this.snapshotter.take();
    await this.snapshotter.flush();
    if (options.finalSnapshot ?? true) await this.checkSnapshotReplica();
    await this.snapshotReplica?.close();
    await this.journal.close();
    await this.readModel.close();
  }
}
