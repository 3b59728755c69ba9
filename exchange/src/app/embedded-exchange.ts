/**
 * The embedded composition root: one process, one machine. The file journal, the snapshot folder and
 * the SQLite read model sit in one data folder; this is the only module that knows which adapters
 * the embedded mode uses.
 */
import { join } from 'node:path';
import type { UnstampedCommand } from '../domain/commands.ts';
import type { MatchingEngine } from '../engine/engine.ts';
import { FileJournal } from '../journal/file/file-journal.ts';
import { FileSnapshotStore } from '../journal/snapshots/file/file-snapshot-store.ts';
import type { SnapshotStore } from '../journal/snapshots/snapshot-store.ts';
import { ensurePrivateDir } from '../runtime/owner-only.ts';
import { type Recovery, recoverEngine } from '../sequencer/recover.ts';
import { type CommandResult, Sequencer } from '../sequencer/sequencer.ts';
import { inThreadSnapshots, type SnapshotSource } from '../sequencer/snapshot-source.ts';
import { type SnapshotPolicy, Snapshotter } from '../sequencer/snapshotter.ts';
import { Projector } from '../storage/projector.ts';
import type { ReadModelPort } from '../storage/read-model-port.ts';
import { ThreadedSqliteReadModel } from '../storage/sqlite/threaded-sqlite-read-model.ts';
import {
  ACCEPT_LOG_LOSS_FLAG,
  lossFolder,
  measureLoss,
  moveAside,
  pendingLoss,
  refuseStart,
  resumeCommand,
  StoreAheadOfLogError,
  snapshotsAhead,
  writeLossRecord,
} from './log-loss.ts';
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
  /** Told of every fault once, with its cause (a journal I/O failure stops the sequencer). */
  readonly onFault?: (fault: ExchangeFault) => void;
  /** Told of each step of the recovery at open, with its figures. */
  readonly onRecoveryStep?: (step: RecoveryStep) => void;
  /**
   * Accept the loss of the log's commands after this seq, which must be the log's last seq: the
   * operator's answer to a `StoreAheadOfLogError` (see log-loss.ts). Ignored, with a warning, when
   * no store is ahead. @default - a store ahead of the log stops the open
   */
  readonly acceptLogLossAfterSeq?: number;
  /**
   * The read model, opened by the caller, which the exchange then owns and closes.
   * @default - SQLite in dataDir/read-model.sqlite, written on a worker thread
   */
  readonly readModel?: ReadModelPort;
}

export type FaultComponent = 'sequencer' | 'read model' | 'snapshots' | 'snapshot replica';

export interface ExchangeFault {
  readonly component: FaultComponent;
  readonly error: unknown;
}

/** One step of recovery: what it did, with its figures; `level` warn for a repair or a loss. */
export interface RecoveryStep {
  readonly step: string;
  readonly level?: 'warn';
  readonly [figure: string]: unknown;
}

export interface ExchangeHealth {
  readonly sequencerRunning: boolean;
  readonly sequencerStoppedBy?: string;
  readonly logWritable: boolean;
  readonly logFailure?: string;
  readonly lastSeq: number;
  readonly readModelSeq: number;
  readonly readModelFaulted: boolean;
  readonly snapshotFailure?: string;
  readonly snapshotReplicaFailure?: string;
}

/** The read model's file in the data folder. */
export const READ_MODEL_FILE = 'read-model.sqlite';

export class EmbeddedExchange {
  readonly engine: MatchingEngine;
  readonly journal: FileJournal;
  readonly snapshots: SnapshotStore;
  readonly readModel: ReadModelPort;
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
  private readonly projectionFaulted: () => boolean;

  private constructor(parts: {
    engine: MatchingEngine;
    journal: FileJournal;
    snapshots: SnapshotStore;
    readModel: ReadModelPort;
    projector: Projector;
    sequencer: Sequencer;
    snapshotter: Snapshotter;
    recovery: Recovery;
    snapshotReplica: SnapshotReplica | undefined;
    clock: () => number;
    inThreadSnapshots: SnapshotSource;
    onSnapshotReplicaFailure: ((error: Error) => void) | undefined;
    projectionFaulted: () => boolean;
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
    this.projectionFaulted = parts.projectionFaulted;
    this.timer = setInterval(() => this.snapshotter.tick(), 1_000);
    this.timer.unref();
  }

  /**
   * Opens the data folder and recovers: the journal cuts a torn tail, every store derived from the
   * log is compared with the log's end (one ahead stops the start, see log-loss.ts), the engine
   * loads the newest valid snapshot the projection has passed and replays the rest, and the
   * projection catches up on the way. Each step is reported with its figures.
   */
  static async open(options: EmbeddedExchangeOptions): Promise<EmbeddedExchange> {
    const started = performance.now();
    const clock = options.clock ?? Date.now;
    const step = options.onRecoveryStep ?? (() => {});
    const fault = (component: FaultComponent, error: unknown) => options.onFault?.({ component, error });
    ensurePrivateDir(options.dataDir);
    const journalDir = join(options.dataDir, 'journal');
    const snapshotsDir = join(options.dataDir, 'snapshots');
    const readModelPath = join(options.dataDir, READ_MODEL_FILE);
    const journal = await FileJournal.open({
      dir: journalDir,
      ...(options.batchWindowMs !== undefined && { batchWindowMs: options.batchWindowMs }),
      ...(options.segmentBytes !== undefined && { segmentBytes: options.segmentBytes }),
    });
    let readModel: ReadModelPort | undefined;
    const ownReadModel = options.readModel === undefined;
    // The embedded SQLite file, or the caller's (MariaDB), which the exchange then owns.
    const openReadModel = async (): Promise<ReadModelPort> =>
      options.readModel ?? (await ThreadedSqliteReadModel.open({ path: readModelPath }));
    try {
      const segments = journal.segments();
      step({
        step: 'journal opened',
        segments: segments.length,
        firstSeq: journal.firstSeq(),
        lastSeq: journal.lastSeq(),
        ms: since(started),
      });
      for (const repair of journal.repairs) {
        step({
          step: 'journal tail cut',
          level: 'warn',
          file: repair.file,
          offset: repair.offset,
          bytesCut: repair.bytesCut,
          cutRecordsAfterSeq: repair.keptThroughSeq,
          reason: repair.reason,
        });
      }
      const snapshots = await FileSnapshotStore.open(snapshotsDir);
      readModel = await openReadModel();
      const readModelFiles = ownReadModel ? [readModelPath] : ['the read model database'];
      const logEnd = journal.lastSeq();
      const readModelSeq = await readModel.lastAppliedSeq();
      const ahead = [
        ...(readModelSeq > logEnd
          ? [{ store: 'read model' as const, seq: readModelSeq, files: readModelFiles }]
          : []),
        ...snapshotsAhead(await snapshots.list(), logEnd),
      ];
      let loss = pendingLoss(options.dataDir, logEnd);
      if (loss === undefined && ahead.length > 0) {
        if (options.acceptLogLossAfterSeq !== logEnd) {
          throw refuseStart(
            logEnd,
            segments.map((s) => s.path),
            ahead,
            options.dataDir,
          );
        }
        if (readModelSeq > logEnd && journal.firstSeq() > 1) {
          throw new StoreAheadOfLogError(
            `cannot accept the loss after seq ${logEnd}: the read model ${readModelPath} is ahead and must be rebuilt from the journal, but the journal starts at seq ${journal.firstSeq()} (older segments were pruned); restore the journal from a backup`,
            logEnd,
            readModelSeq,
          );
        }
        // The engine's counters at the log's end are a floor too: a lost command may have issued none.
        const atLogEnd = await recoverEngine(journal, snapshots, { notAfterSeq: logEnd });
        loss = await measureLoss(
          logEnd,
          ahead,
          readModelSeq > logEnd ? await readModel.issuedIds() : undefined,
          snapshots,
          atLogEnd.engine,
          new Date(clock()),
        );
        writeLossRecord(options.dataDir, loss);
        step({ step: 'log loss accepted', level: 'warn', ...loss });
      } else if (options.acceptLogLossAfterSeq !== undefined && loss === undefined) {
        step({
          step: 'no log loss to accept',
          level: 'warn',
          flag: `${ACCEPT_LOG_LOSS_FLAG}=${options.acceptLogLossAfterSeq}`,
          logEndSeq: logEnd,
        });
      }
      if (loss !== undefined) {
        // Moved, never deleted: they hold what the lost commands did, for whoever investigates.
        if (readModelSeq > logEnd && ownReadModel) {
          await readModel.close();
          moveAside(options.dataDir, loss.lostAfterSeq, '', [
            readModelPath,
            `${readModelPath}-wal`,
            `${readModelPath}-shm`,
          ]);
          readModel = await openReadModel();
        } else if (readModelSeq > logEnd) {
          // A database cannot be moved into a folder: it is emptied and rebuilt from the journal
          // (loss.json keeps the ids its rows held).
          await readModel.reset();
        }
        const aheadSnapshots = snapshotsAhead(await snapshots.list(), logEnd).flatMap((a) => a.files);
        moveAside(options.dataDir, loss.lostAfterSeq, 'snapshots', aheadSnapshots);
        step({
          step: 'stores ahead of the log moved aside',
          level: 'warn',
          folder: lossFolder(options.dataDir, loss.lostAfterSeq),
          readModelRebuilt: readModelSeq > logEnd,
          snapshots: aheadSnapshots.length,
        });
      }
      const model = readModel;
      let projectionFault = false;
      const projector = new Projector(model, {
        onFault: (error) => {
          projectionFault = true;
          fault('read model', error);
        },
      });
      const projected = await projector.start();
      const recovery = await recoverEngine(journal, snapshots, {
        notAfterSeq: projected,
        eventsAfterSeq: projected,
        onReplayed: (events, command) => projector.publish(events, command.seq),
        // A snapshot written before trade ids ran per market is upgraded from the read model's trades.
        tradesThrough: (seq) => readModelTradesThrough(model, seq),
      });
      for (const problem of recovery.problems) {
        step({ step: 'snapshot passed over', level: 'warn', ...problem });
      }
      step(
        recovery.snapshotFile === undefined
          ? { step: 'no snapshot used: replaying the whole log', ms: round(recovery.snapshotMs) }
          : {
              step: 'snapshot loaded',
              seq: recovery.snapshotSeq,
              file: recovery.snapshotFile,
              ms: round(recovery.snapshotMs),
            },
      );
      const { engine } = recovery;
      step({
        step: 'commands replayed',
        commands: recovery.replayedCommands,
        fromSeq: recovery.snapshotSeq + 1,
        throughSeq: engine.lastSeq,
        ms: round(recovery.replayMs),
      });
      const catchUpStarted = performance.now();
      await projector.flush();
      step({
        step: 'read model caught up',
        fromSeq: projected,
        throughSeq: projector.appliedSeq,
        ms: since(catchUpStarted),
      });
      const sequencer = new Sequencer(engine, journal, {
        clock,
        onStop: (cause) => fault('sequencer', cause),
        ...(loss !== undefined && { firstSeq: loss.lostThroughSeq + 1 }),
      });
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
              onFailure: (error) => {
                options.onSnapshotReplicaFailure?.(error);
                fault('snapshot replica', error);
              },
            });
      const snapshotter = new Snapshotter(snapshots, journal, {
        ...options.snapshots,
        prune: options.pruneJournal ?? true,
        clock,
        consumedSeq: () => projector.appliedSeq,
        source: snapshotReplica ?? inThread,
        onFailure: (error) => fault('snapshots', error),
      });
      sequencer.subscribe((events, command) => {
        projector.publish(events, command.seq);
        // Before the snapshotter, whose snapshot must include this command.
        snapshotReplica?.forward(command);
        snapshotter.afterCommand();
      });
      const exchange = new EmbeddedExchange({
        engine,
        journal,
        snapshots,
        readModel: model,
        projector,
        sequencer,
        snapshotter,
        recovery,
        snapshotReplica,
        clock,
        inThreadSnapshots: inThread,
        onSnapshotReplicaFailure: options.onSnapshotReplicaFailure,
        projectionFaulted: () => projectionFault,
      });
      if (loss !== undefined) {
        const resumed = await sequencer.submit(resumeCommand(loss));
        step({
          step: 'resumed after the accepted loss',
          level: 'warn',
          seq: resumed.seq,
          nextOrderId: engine.nextOrderId,
          nextTradeIds: Object.fromEntries([...engine.markets].map(([symbol, m]) => [symbol, m.nextTradeId])),
        });
      }
      step({ step: 'recovered', lastSeq: engine.lastSeq, ms: since(started) });
      return exchange;
    } catch (error) {
      await readModel?.close().catch(() => undefined);
      await journal.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * What stops this exchange from taking orders, if anything: the sequencer stopped (and why), the
   * log refuses appends, the projection failed; and how far the read model lags the engine.
   */
  health(): ExchangeHealth {
    const stoppedBy = this.sequencer.stoppedBy();
    const writeFailure = this.journal.writeFailure();
    return {
      sequencerRunning: stoppedBy === undefined,
      ...(stoppedBy !== undefined && { sequencerStoppedBy: messageOf(stoppedBy) }),
      logWritable: writeFailure === undefined,
      ...(writeFailure !== undefined && { logFailure: messageOf(writeFailure) }),
      lastSeq: this.engine.lastSeq,
      readModelSeq: this.projector.appliedSeq,
      readModelFaulted: this.projectionFaulted(),
      ...(this.snapshotter.lastFailure() !== null && {
        snapshotFailure: messageOf(this.snapshotter.lastFailure()),
      }),
      ...(this.snapshotReplica?.failure() !== undefined && {
        snapshotReplicaFailure: messageOf(this.snapshotReplica.failure()),
      }),
    };
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

function since(started: number): number {
  return round(performance.now() - started);
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
