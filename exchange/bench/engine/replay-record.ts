import type { BenchOp } from './workloads.ts';

/**
 * What one engine did with a workload, recorded on an untimed replay: the lots each operation's own
 * order traded, the trade tallies, and the final book as resting orders from the best price outward,
 * oldest first within a price, as flat (peer id, price ticks, lots) triples.
 */
export interface ReplayRecord {
  readonly engine: string;
  readonly fills: Int32Array;
  readonly trades: number;
  readonly volumeLots: number;
  readonly bids: readonly number[];
  readonly asks: readonly number[];
  readonly rejectsByReason: Readonly<Record<string, number>>;
}

/**
 * Where two replays part, described, or null when they did the same work: every operation traded
 * the same lots, and the final books hold the same orders in the same places with the same lots.
 * Trade counts are compared only where both engines count them the same way (one per maker fill).
 */
export function replayDifference(
  ours: ReplayRecord,
  peer: ReplayRecord,
  ops: readonly BenchOp[],
  compareTrades: boolean,
): string | null {
  for (let i = 0; i < ops.length; i++) {
    if (ours.fills[i] !== peer.fills[i]) {
      return `operation ${i} (${JSON.stringify(ops[i])}): ${ours.engine} traded ${ours.fills[i]} lots, ${peer.engine} ${peer.fills[i]}`;
    }
  }
  if (ours.volumeLots !== peer.volumeLots)
    return `volume: ${ours.engine} ${ours.volumeLots} lots, ${peer.engine} ${peer.volumeLots}`;
  if (compareTrades && ours.trades !== peer.trades)
    return `trades: ${ours.engine} ${ours.trades}, ${peer.engine} ${peer.trades}`;
  return (
    bookDifference('bids', ours.bids, peer.bids, ours.engine, peer.engine) ??
    bookDifference('asks', ours.asks, peer.asks, ours.engine, peer.engine)
  );
}

function bookDifference(
  side: string,
  a: readonly number[],
  b: readonly number[],
  aName: string,
  bName: string,
): string | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i += 3) {
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) {
      const at = (x: readonly number[]) =>
        i < x.length ? `order ${x[i]} at ${x[i + 1]} ticks, ${x[i + 2]} lots` : 'nothing';
      return `final ${side}, position ${i / 3} from the best: ${aName} has ${at(a)}, ${bName} ${at(b)}`;
    }
  }
  return null;
}

/** A book of orders folded into price levels: (price, lots, orders) triples, best first. */
export function levelsOf(orders: readonly number[]): number[] {
  const levels: number[] = [];
  for (let i = 0; i < orders.length; i += 3) {
    const price = orders[i + 1]!;
    const n = levels.length;
    if (n > 0 && levels[n - 3] === price) {
      levels[n - 2] = levels[n - 2]! + orders[i + 2]!;
      levels[n - 1] = levels[n - 1]! + 1;
    } else levels.push(price, orders[i + 2]!, 1);
  }
  return levels;
}

/** Where two level books differ, or null. */
export function levelsDifference(
  side: string,
  ours: readonly number[],
  peer: readonly number[],
): string | null {
  const n = Math.max(ours.length, peer.length);
  for (let i = 0; i < n; i += 3) {
    if (ours[i] !== peer[i] || ours[i + 1] !== peer[i + 1] || ours[i + 2] !== peer[i + 2])
      return `final ${side} level ${i / 3}: ours [${ours.slice(i, i + 3).join(', ')}], peer [${peer.slice(i, i + 3).join(', ')}]`;
  }
  return null;
}

/** One timed round: operations per second of wall time, and per second of the thread's CPU time. */
export interface Throughput {
  readonly opsPerSec: number;
  readonly cpuOpsPerSec: number;
}

export function rates(
  operations: number,
  elapsedMs: number,
  cpu: { user: number; system: number },
): Throughput {
  return {
    opsPerSec: Math.round(operations / (elapsedMs / 1000)),
    cpuOpsPerSec: Math.round(operations / ((cpu.user + cpu.system) / 1e6)),
  };
}
