import type { Command } from '../domain/commands.ts';
import type { EngineEvent } from '../domain/events.ts';
import { MatchingEngine } from '../engine/engine.ts';
import { type EngineSnapshot, SnapshotFormatError } from '../engine/snapshot.ts';
import { Format1Upgrade, type TradeRecord } from '../engine/snapshot-upgrade.ts';
import type { LogReader } from '../journal/log-port.ts';
import type { SnapshotProblem, SnapshotStore } from '../journal/snapshots/snapshot-store.ts';
import { decodeCommand } from './command-codec.ts';

export interface RecoveryOptions {
  /**
   * Use no snapshot newer than this seq: the slowest projection's position, so that replaying from
   * the snapshot regenerates every event a projection still lacks. @default - the newest snapshot
   */
  readonly notAfterSeq?: number;
  /** Receives the events of each replayed command after `eventsAfterSeq`, in order. */
  readonly onReplayed?: (events: readonly EngineEvent[], command: Command) => void;
  /**
   * Commands up to this seq are replayed for state alone, building no events: what every subscriber
   * already holds (a projection's position) need not be produced again. @default 0
   */
  readonly eventsAfterSeq?: number;
  /**
   * Replay no command after this seq, and fail unless the log reaches it: a follower that must
   * start exactly where another reader of a growing log stood. @default - the end of the log
   */
  readonly throughSeq?: number;
  /**
   * Every trade up to a seq, each market's in order: lets recovery upgrade a format-1 snapshot (trade
   * ids counted across all markets) by rebuilding its per-market counters from the trades, where the
   * log may no longer reach back to replay them. @default - such a snapshot is passed over
   */
  readonly tradesThrough?: (seq: number) => AsyncIterable<readonly TradeRecord[]>;
}

export interface Recovery {
  readonly engine: MatchingEngine;
  /** The seq of the snapshot the state started from, or 0 for a full replay. */
  readonly snapshotSeq: number;
  /** The snapshot file the state started from; undefined for a full replay. */
  readonly snapshotFile: string | undefined;
  /** Time spent reading, checking and restoring snapshots. */
  readonly snapshotMs: number;
  readonly replayedCommands: number;
  /** Time spent replaying the log after the snapshot. */
  readonly replayMs: number;
  /** Newer snapshots that failed their checks and were passed over, each with its file and offset. */
  readonly problems: readonly SnapshotProblem[];
  /** The snapshot file of an older format the state was upgraded from, if it was. */
  readonly upgradedFrom?: string;
}

export class RecoveryError extends Error {
  readonly code = 'RECOVERY_FAILED';
}

const decoder = new TextDecoder();

/**
 * Rebuilds the engine: the newest valid snapshot (an unreadable one falls back to an older one, or to
 * a full replay), then every command the log holds after it.
 */
export async function recoverEngine(
  log: LogReader,
  snapshots: SnapshotStore,
  options: RecoveryOptions = {},
): Promise<Recovery> {
  const through = options.throughSeq ?? Number.POSITIVE_INFINITY;
  const notAfter = Math.min(options.notAfterSeq ?? Number.POSITIVE_INFINITY, through);
  const problems: SnapshotProblem[] = [];
  let engine: MatchingEngine | undefined;
  let upgradedFrom: string | undefined;
  let snapshotFile: string | undefined;
  const loadStarted = performance.now();
  for (const entry of await snapshots.list()) {
    if (entry.seq > notAfter) continue;
    const loaded = await snapshots.load(entry.file);
    if ('reason' in loaded) {
      problems.push(loaded);
      continue;
    }
    let state = JSON.parse(decoder.decode(loaded.body)) as EngineSnapshot;
    try {
      if (state.version === 1 && options.tradesThrough !== undefined) {
        const upgrade = new Format1Upgrade();
        for await (const page of options.tradesThrough(loaded.seq))
          for (const trade of page) upgrade.add(trade);
        state = upgrade.apply(state);
        upgradedFrom = loaded.file;
      }
      engine = MatchingEngine.restore(state);
    } catch (error) {
      // A snapshot of an older format that cannot be upgraded is passed over like a damaged one,
      // saying why: the log replays from an older snapshot, or from its start.
      if (!(error instanceof SnapshotFormatError)) throw error;
      problems.push({ file: loaded.file, offset: 0, reason: error.message });
      upgradedFrom = undefined;
      continue;
    }
    if (engine.lastSeq !== loaded.seq) {
      throw new RecoveryError(
        `${loaded.file}: the state is at seq ${engine.lastSeq} but the file is for ${loaded.seq}`,
      );
    }
    snapshotFile = loaded.file;
    break;
  }
  engine ??= new MatchingEngine();
  const snapshotMs = performance.now() - loadStarted;
  const snapshotSeq = engine.lastSeq;
  const firstSeq = log.firstSeq();
  if (firstSeq > snapshotSeq + 1) {
    throw new RecoveryError(
      `the log starts at seq ${firstSeq} but the usable state ends at ${snapshotSeq}: records ${snapshotSeq + 1}..${firstSeq - 1} were pruned without a snapshot covering them` +
        problems.map((p) => `; passed over ${p.file}: ${p.reason}`).join(''),
    );
  }
  let replayedCommands = 0;
  const replayStarted = performance.now();
  const { onReplayed } = options;
  const eventsAfter = onReplayed === undefined ? Number.POSITIVE_INFINITY : (options.eventsAfterSeq ?? 0);
  replay: for await (const batch of log.read(snapshotSeq + 1)) {
    for (const record of batch) {
      if (record.seq > through) break replay;
      const command = decodeCommand(record.payload, record.seq, record.ts);
      // With no one to hand events to, replay for state alone and skip building them.
      if (command.seq <= eventsAfter) engine.replay(command);
      else onReplayed!(engine.apply(command), command);
      replayedCommands++;
    }
  }
  if (options.throughSeq !== undefined && engine.lastSeq !== options.throughSeq) {
    throw new RecoveryError(`the log ends at seq ${engine.lastSeq}, before ${options.throughSeq}`);
  }
  const replayMs = performance.now() - replayStarted;
  return {
    engine,
    snapshotSeq,
    snapshotFile,
    snapshotMs,
    replayedCommands,
    replayMs,
    problems,
    ...(upgradedFrom !== undefined && { upgradedFrom }),
  };
}
