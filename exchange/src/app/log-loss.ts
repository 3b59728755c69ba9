/**
 * A store derived from the log that is ahead of it. The read model and the snapshots only ever hold
 * commands the log had made durable, so a store ahead of the log's end means the log lost
 * acknowledged commands: a damaged last record cut as a torn tail, a segment restored from an older
 * backup. Starting anyway would issue the lost seqs, order ids and trade ids a second time (and the
 * read model's unique keys would refuse them), so the start stops, naming both positions and the
 * files, until an operator either restores the log or accepts the loss.
 *
 * Accepting is one start with `--accept-log-loss=<the log's last seq>`: the stores ahead are moved
 * into `lost-after-seq-<seq>/` beside the data (kept, never deleted), the read model is rebuilt from
 * the log, and a `ResumeAfterLoss` command moves the seq and the id counters past everything those
 * stores had seen. The decision is written first (`loss.json`), so a crash half-way through is
 * finished by the next start, without the flag.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import type { ResumeAfterLoss } from '../domain/commands.ts';
import { MatchingEngine } from '../engine/engine.ts';
import type { EngineSnapshot } from '../engine/snapshot.ts';
import { fsyncDirSync } from '../journal/fsync-dir.ts';
import type { SnapshotEntry, SnapshotStore } from '../journal/snapshots/snapshot-store.ts';
import type { IssuedIds } from '../storage/read-model-port.ts';

/** The start flag that accepts a loss; its value must be the log's last seq, as the refusal names it. */
export const ACCEPT_LOG_LOSS_FLAG = '--accept-log-loss';

/** One store found ahead of the log. */
export interface StoreAhead {
  readonly store: 'read model' | 'snapshot';
  readonly seq: number;
  readonly files: readonly string[];
}

/** The accepted loss, as written to `loss.json` before anything is moved. */
export interface LossRecord {
  readonly lostAfterSeq: number;
  readonly lostThroughSeq: number;
  readonly nextOrderId: number;
  /** Per symbol (trade ids run per market). */
  readonly nextTradeIds: Readonly<Record<string, number>>;
  readonly acceptedAt: string;
  readonly stores: readonly StoreAhead[];
}

export class StoreAheadOfLogError extends Error {
  readonly code = 'STORE_AHEAD_OF_LOG';
  readonly logEndSeq: number;
  readonly aheadThroughSeq: number;

  constructor(message: string, logEndSeq: number, aheadThroughSeq: number) {
    super(message);
    this.name = 'StoreAheadOfLogError';
    this.logEndSeq = logEndSeq;
    this.aheadThroughSeq = aheadThroughSeq;
  }
}

/** The folder that keeps what an accepted loss moved aside, and its `loss.json`. */
export function lossFolder(dataDir: string, lostAfterSeq: number): string {
  return join(dataDir, `lost-after-seq-${lostAfterSeq}`);
}

/** Snapshots whose seq is past the log's end. */
export function snapshotsAhead(entries: readonly SnapshotEntry[], logEndSeq: number): StoreAhead[] {
  return entries
    .filter((entry) => entry.seq > logEndSeq)
    .map((entry) => ({ store: 'snapshot', seq: entry.seq, files: [entry.file] }));
}

/** The refusal: every store ahead with its position and files, the log's end, and both ways out. */
export function refuseStart(
  logEndSeq: number,
  logFiles: readonly string[],
  ahead: readonly StoreAhead[],
  dataDir: string,
): StoreAheadOfLogError {
  const through = Math.max(...ahead.map((a) => a.seq));
  const stores = ahead.map((a) => `the ${a.store} ${a.files[0]} is at seq ${a.seq}`).join('; ');
  const log = logFiles.length === 0 ? 'holds no segment' : `ends in ${logFiles.at(-1)}`;
  return new StoreAheadOfLogError(
    `a store derived from the log is ahead of it: ${stores}; but the journal ends at seq ${logEndSeq} (it ${log}). ` +
      `The log lost commands ${logEndSeq + 1}..${through} that those stores hold; nothing was changed. ` +
      `Restore the journal from a backup, or accept the loss: start once with ${ACCEPT_LOG_LOSS_FLAG}=${logEndSeq} ` +
      `(the read model is rebuilt from the journal, no seq, order id or trade id up to the stores' is issued again, ` +
      `and the stores ahead are kept in ${lossFolder(dataDir, logEndSeq)}).`,
    logEndSeq,
    through,
  );
}

/**
 * Works out how far the lost commands went, from the stores ahead: the highest seq, and the highest
 * order and trade ids, of the read model's rows and of every readable snapshot ahead.
 */
export async function measureLoss(
  logEndSeq: number,
  ahead: readonly StoreAhead[],
  readModelIds: IssuedIds | undefined,
  snapshots: SnapshotStore,
  engine: MatchingEngine,
  now: Date,
): Promise<LossRecord> {
  let nextOrderId = Math.max(engine.nextOrderId, (readModelIds?.maxOrderId ?? 0) + 1);
  const nextTradeIds: Record<string, number> = {};
  const raise = (symbol: string, next: number) => {
    nextTradeIds[symbol] = Math.max(nextTradeIds[symbol] ?? 1, next);
  };
  for (const [symbol, market] of engine.markets) raise(symbol, market.nextTradeId);
  for (const [symbol, max] of Object.entries(readModelIds?.maxTradeIds ?? {})) raise(symbol, max + 1);
  for (const store of ahead) {
    if (store.store !== 'snapshot') continue;
    const loaded = await snapshots.load(store.files[0]!);
    // An unreadable snapshot tells nothing; the read model and the readable ones still do.
    if ('reason' in loaded) continue;
    const state = MatchingEngine.restore(JSON.parse(new TextDecoder().decode(loaded.body)) as EngineSnapshot);
    nextOrderId = Math.max(nextOrderId, state.nextOrderId);
    for (const [symbol, market] of state.markets) raise(symbol, market.nextTradeId);
  }
  return {
    lostAfterSeq: logEndSeq,
    lostThroughSeq: Math.max(...ahead.map((a) => a.seq)),
    nextOrderId,
    nextTradeIds,
    acceptedAt: now.toISOString(),
    stores: ahead,
  };
}

/** Writes the decision durably (file and folder), before anything is moved. */
export function writeLossRecord(dataDir: string, record: LossRecord): void {
  const folder = lossFolder(dataDir, record.lostAfterSeq);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const fd = openSync(join(folder, 'loss.json'), 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(record, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncDirSync(folder);
  fsyncDirSync(dataDir);
}

/**
 * An accepted loss not yet finished: its `loss.json` exists and the log still ends where it did
 * (once `ResumeAfterLoss` is durable, the log ends past it).
 */
export function pendingLoss(dataDir: string, logEndSeq: number): LossRecord | undefined {
  const path = join(lossFolder(dataDir, logEndSeq), 'loss.json');
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as LossRecord;
}

/** Moves the files that exist into the loss folder (under `subfolder`), keeping their names. */
export function moveAside(
  dataDir: string,
  lostAfterSeq: number,
  subfolder: string,
  files: readonly string[],
): void {
  const target = join(lossFolder(dataDir, lostAfterSeq), subfolder);
  mkdirSync(target, { recursive: true, mode: 0o700 });
  for (const file of files) {
    if (!existsSync(file)) continue;
    renameSync(file, join(target, basename(file)));
  }
  fsyncDirSync(target);
}

/** The command that closes the loss: the engine's counters move past the lost ids. */
export function resumeCommand(record: LossRecord): Omit<ResumeAfterLoss, 'seq' | 'ts'> {
  return {
    type: 'ResumeAfterLoss',
    lostAfterSeq: record.lostAfterSeq,
    lostThroughSeq: record.lostThroughSeq,
    nextOrderId: record.nextOrderId,
    nextTradeIds: record.nextTradeIds,
  };
}
