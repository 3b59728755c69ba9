/**
 * npm run bench:engine — our matching engine beside two peers on the same seeded workloads, in one
 * run: the npm package nodejs-order-book (no balances, no fees) and, when Java and Maven are there,
 * exchange-core 0.5.3 (Java), both its risk and matching engines on one thread and its disruptor
 * pipeline. Ours runs with balance checks, locks, fees and events on.
 *
 * Nothing is timed until every engine has replayed the workload once and done the same work: the
 * same lots traded by every operation and the same final book, order by order (exchange-core's
 * pipeline: the same trades and price levels). A difference stops the benchmark and says where.
 * Throughput is wall time over the whole loop, the median of alternated rounds; latency is sampled
 * on a pass of its own. Then ours alone on the shallow workload with and without 5,000 waiting stop
 * orders (never reached, checked on every trade), verified to do the same work, as a ratio. Prints a
 * table, then one JSON line with every figure.
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MatchingEngine } from '../src/engine/engine.ts';
import { BourseRunner } from './engine/bourse-runner.ts';
import {
  ExchangeCoreRunner,
  exchangeCoreMemory,
  prepareExchangeCore,
} from './engine/exchange-core-runner.ts';
import { OrderBookRunner } from './engine/order-book-runner.ts';
import { levelsDifference, levelsOf, replayDifference } from './engine/replay-record.ts';
import { writeWorkloadFile } from './engine/workload-file.ts';
import {
  ACCOUNTS,
  type BenchOp,
  deepWorkload,
  exchangeCoreWorkload,
  MID_TICKS,
  mix,
  setupCommands,
  shallowWorkload,
  toCommand,
  type Workload,
} from './engine/workloads.ts';

const OPERATIONS = Number(process.env.BENCH_OPS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WAITING_STOPS = Number(process.env.BENCH_WAITING_STOPS ?? 5_000);
const MEMORY_ORDERS = Number(process.env.BENCH_MEMORY_ORDERS ?? 1_000_000);
const TMP = join(import.meta.dirname, '..', '..', '.tmp', 'bench-engine');

interface Latency {
  p50Ns: number;
  p99Ns: number;
  p999Ns: number;
}
interface EngineFigures extends Partial<Latency> {
  /** Median over the rounds of operations per second of wall time. */
  opsPerSec: number;
  rounds: number[];
  /** Median over the rounds of operations per second of the engine thread's CPU time. */
  cpuOpsPerSec?: number;
  cpuRounds?: number[];
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/**
 * A full collection before every timed pass, of every engine: otherwise one engine's pass pays for
 * the garbage the previous one left (a peer's dropped book is hundreds of megabytes).
 */
const collected = <T>(pass: () => T): T => {
  gc();
  gc();
  return pass();
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;

class WorkMismatch extends Error {}

function ensureSame(what: string, difference: string | null): void {
  if (difference !== null) throw new WorkMismatch(`${what} did not do the same work: ${difference}`);
}

async function benchWorkload(workload: Workload, exchangeCore: { classpath: string } | { skipped: string }) {
  const ops = workload.ops;
  const bourse = new BourseRunner(workload);
  const orderBook = new OrderBookRunner(workload);
  const ours = bourse.replay();
  const rejectCount = Object.values(ours.rejectsByReason).reduce((a, b) => a + b, 0);
  // None of these workloads means a rejection: one would be an order the peers accepted.
  if (rejectCount > 0)
    throw new WorkMismatch(
      `${workload.name}: bourse rejected ${rejectCount}: ${JSON.stringify(ours.rejectsByReason)}`,
    );
  ensureSame(`${workload.name}: nodejs-order-book`, replayDifference(ours, orderBook.replay(), ops, false));

  let core: ExchangeCoreRunner | undefined;
  if ('classpath' in exchangeCore) {
    const file = join(TMP, `${workload.name}.workload`);
    const fillsFile = join(TMP, `${workload.name}.fills`);
    await writeWorkloadFile(workload, file);
    core = ExchangeCoreRunner.start(exchangeCore.classpath, file, fillsFile);
    const theirs = await core.replay(fillsFile);
    if (theirs.rejects > 0)
      throw new WorkMismatch(
        `${workload.name}: exchange-core rejected ${theirs.rejects}: ${JSON.stringify(theirs.rejectsByReason)}`,
      );
    ensureSame(`${workload.name}: exchange-core`, replayDifference(ours, theirs, ops, true));
  }

  const rounds: Record<string, number[]> = {
    bourse: [],
    'nodejs-order-book': [],
    'exchange-core': [],
    'exchange-core-pipeline': [],
  };
  const cpuRounds: Record<string, number[]> = { bourse: [], 'nodejs-order-book': [], 'exchange-core': [] };
  const record = (engine: string, round: { opsPerSec: number; cpuOpsPerSec: number }) => {
    rounds[engine]!.push(round.opsPerSec);
    cpuRounds[engine]!.push(round.cpuOpsPerSec);
  };
  for (let round = 0; round < ROUNDS; round++) {
    record(
      'bourse',
      collected(() => bourse.throughput()),
    );
    record(
      'nodejs-order-book',
      collected(() => orderBook.throughput()),
    );
    if (core !== undefined) {
      const single = await core.request<{
        opsPerSec: number;
        cpuOpsPerSec: number;
        trades: number;
        volumeLots: number;
      }>('single');
      if (single.trades !== ours.trades || single.volumeLots !== ours.volumeLots)
        throw new WorkMismatch(
          `${workload.name}: exchange-core's timed round traded ${single.trades} times, ours ${ours.trades}`,
        );
      record('exchange-core', single);
      const pipeline = await core.request<{
        opsPerSec: number;
        trades: number;
        volumeLots: number;
        rejects: number;
        bidLevels: number[];
        askLevels: number[];
      }>('pipeline');
      ensureSame(
        `${workload.name}: exchange-core's pipeline`,
        pipeline.trades !== ours.trades || pipeline.volumeLots !== ours.volumeLots || pipeline.rejects > 0
          ? `trades ${pipeline.trades} (ours ${ours.trades}), volume ${pipeline.volumeLots} (ours ${ours.volumeLots}), rejects ${pipeline.rejects}`
          : (levelsDifference('bids', levelsOf(ours.bids), pipeline.bidLevels) ??
              levelsDifference('asks', levelsOf(ours.asks), pipeline.askLevels)),
      );
      rounds['exchange-core-pipeline']!.push(pipeline.opsPerSec);
    }
  }
  const figures = (engine: string): EngineFigures => ({
    opsPerSec: median(rounds[engine]!),
    rounds: rounds[engine]!,
    cpuOpsPerSec: median(cpuRounds[engine]!),
    cpuRounds: cpuRounds[engine]!,
  });
  const engines: Record<string, EngineFigures> = {
    bourse: { ...figures('bourse'), ...collected(() => bourse.latency()) },
    'nodejs-order-book': { ...figures('nodejs-order-book'), ...collected(() => orderBook.latency()) },
  };
  if (core !== undefined) {
    const latency = await core.request<Latency & { trades: number }>('latency');
    engines['exchange-core'] = {
      ...figures('exchange-core'),
      p50Ns: latency.p50Ns,
      p99Ns: latency.p99Ns,
      p999Ns: latency.p999Ns,
    };
    engines['exchange-core-pipeline'] = {
      opsPerSec: median(rounds['exchange-core-pipeline']!),
      rounds: rounds['exchange-core-pipeline']!,
    };
    await core.close();
  }
  const b = engines.bourse!;
  const ec = engines['exchange-core'];
  return {
    name: workload.name,
    description: workload.description,
    operations: ops.length,
    mix: mix(ops),
    restingAtEnd: ours.bids.length / 3 + ours.asks.length / 3,
    trades: ours.trades,
    bourseRejectsByReason: ours.rejectsByReason,
    verifiedIdentical: {
      'nodejs-order-book': true,
      'exchange-core': core !== undefined ? true : null,
      'exchange-core-pipeline': core !== undefined ? true : null,
    },
    engines,
    ratios: {
      throughputVsNodejsOrderBook: ratio(b.opsPerSec, engines['nodejs-order-book']!.opsPerSec),
      throughputVsExchangeCore: ec === undefined ? null : ratio(b.opsPerSec, ec.opsPerSec),
      throughputVsExchangeCorePipeline:
        ec === undefined ? null : ratio(b.opsPerSec, engines['exchange-core-pipeline']!.opsPerSec),
      p999VsExchangeCore: ec === undefined ? null : ratio(b.p999Ns!, ec.p999Ns!),
      cpuThroughputVsNodejsOrderBook: ratio(b.cpuOpsPerSec!, engines['nodejs-order-book']!.cpuOpsPerSec!),
      cpuThroughputVsExchangeCore: ec === undefined ? null : ratio(b.cpuOpsPerSec!, ec.cpuOpsPerSec!),
    },
  };
}

/**
 * What waiting conditional orders cost the matching loop: the same workload with and without
 * `count` stops that no trade reaches (so both runs trade, rest and cancel exactly the same),
 * alternated rounds, median each.
 */
function benchWaitingStops(workload: Workload, count: number) {
  const without = new BourseRunner(workload);
  const withStops = new BourseRunner(workload, count);
  // The stops runner throws if any stop triggers; both must then leave the same trades and book.
  ensureSame(
    `${workload.name} with ${count} waiting stops`,
    replayDifference(without.replay(), withStops.replay(), workload.ops, true),
  );
  const rounds = { without: [] as number[], withStops: [] as number[] };
  const cpuRounds = { without: [] as number[], withStops: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const a = collected(() => without.throughput());
    rounds.without.push(a.opsPerSec);
    cpuRounds.without.push(a.cpuOpsPerSec);
    const b = collected(() => withStops.throughput());
    rounds.withStops.push(b.opsPerSec);
    cpuRounds.withStops.push(b.cpuOpsPerSec);
  }
  const figures = (k: 'without' | 'withStops'): EngineFigures => ({
    opsPerSec: median(rounds[k]),
    rounds: rounds[k],
    cpuOpsPerSec: median(cpuRounds[k]),
    cpuRounds: cpuRounds[k],
  });
  const w = figures('without');
  const s = figures('withStops');
  return {
    name: workload.name,
    operations: workload.ops.length,
    waitingStops: count,
    verifiedIdentical: true,
    without: w,
    withStops: s,
    throughputRatio: ratio(s.opsPerSec, w.opsPerSec),
    cpuThroughputRatio: ratio(s.cpuOpsPerSec!, w.cpuOpsPerSec!),
  };
}

/** 1,000,000 GTC bids from 1,000 accounts over 10,000 price levels: nothing crosses, all rest. */
function memoryWorkload(orders: number): Workload {
  const ops: BenchOp[] = [];
  for (let i = 0; i < orders; i++) {
    const priceTicks = MID_TICKS - 1 - (i % 10_000);
    ops.push({
      kind: 'limit',
      userId: 1 + (i % ACCOUNTS),
      id: i + 1,
      side: 'BUY',
      priceTicks,
      lots: 1 + (i % 10),
      tif: 'GTC',
    });
  }
  return {
    name: 'memory',
    description: `${orders} resting GTC bids over 10,000 levels`,
    accounts: ACCOUNTS,
    setup: setupCommands(ACCOUNTS),
    ops,
    minPriceTicks: MID_TICKS - 10_000,
    maxPriceTicks: MID_TICKS,
  };
}

async function benchMemory(exchangeCore: { classpath: string } | { skipped: string }) {
  const usedHeap = () => {
    for (let i = 0; i < 4; i++) gc();
    return process.memoryUsage().heapUsed;
  };
  const workload = memoryWorkload(MEMORY_ORDERS);
  const engine = new MatchingEngine();
  for (const command of workload.setup) engine.apply(command);
  const first = workload.setup.length + 1;
  const before = usedHeap();
  for (let i = 0; i < workload.ops.length; i++) engine.apply(toCommand(workload.ops[i]!, first + i));
  const after = usedHeap();
  if (engine.orders.size !== MEMORY_ORDERS)
    throw new WorkMismatch(`only ${engine.orders.size} of ${MEMORY_ORDERS} orders rest`);
  const bourse = { bytesPerOrder: Math.round((after - before) / MEMORY_ORDERS), resting: engine.orders.size };
  let core: { bytesPerOrder: number } | null = null;
  if ('classpath' in exchangeCore) {
    const file = join(TMP, 'memory.workload');
    await writeWorkloadFile(workload, file);
    const theirs = exchangeCoreMemory(exchangeCore.classpath, file);
    if (theirs.rejects > 0 || theirs.trades > 0)
      throw new WorkMismatch(
        `exchange-core's memory run: ${theirs.rejects} rejects, ${theirs.trades} trades`,
      );
    core = { bytesPerOrder: theirs.bytesPerOrder };
  }
  return {
    orders: MEMORY_ORDERS,
    bourse,
    'exchange-core': core,
    ratio: core === null ? null : ratio(bourse.bytesPerOrder, core.bytesPerOrder),
  };
}

async function main() {
  mkdirSync(TMP, { recursive: true });
  const exchangeCore = prepareExchangeCore();
  if ('skipped' in exchangeCore) console.log(`exchange-core rows skipped: ${exchangeCore.skipped}`);
  const results = [];
  for (const make of [shallowWorkload, deepWorkload, exchangeCoreWorkload]) {
    const workload = make(OPERATIONS, make === shallowWorkload ? 42 : make === deepWorkload ? 7 : 13);
    results.push(await benchWorkload(workload, exchangeCore));
  }
  const stops = benchWaitingStops(shallowWorkload(OPERATIONS, 42), WAITING_STOPS);
  const memory = await benchMemory(exchangeCore);

  const us = (ns: number | undefined) => (ns === undefined ? '       -' : (ns / 1000).toFixed(2).padStart(8));
  console.log(
    `machine: ${os.cpus()[0]?.model ?? 'unknown'} x${os.cpus().length}, node ${process.version}; ${ROUNDS} alternated rounds, median`,
  );
  console.log('bourse: balance checks, locks, fees, events; nodejs-order-book: no balances, no fees;');
  console.log('exchange-core: risk hold + matching + risk release on one thread, and its disruptor pipeline');
  console.log(
    'workload       engine                    ops/s  cpu-ops/s   p50 µs   p99 µs p99.9 µs  identical',
  );
  for (const r of results) {
    for (const [label, run] of Object.entries(r.engines)) {
      const same =
        label === 'bourse' ? '' : String(r.verifiedIdentical[label as keyof typeof r.verifiedIdentical]);
      console.log(
        `${r.name.padEnd(14)} ${label.padEnd(22)} ${String(run.opsPerSec).padStart(9)} ${String(run.cpuOpsPerSec ?? '-').padStart(10)} ${us(run.p50Ns)} ${us(run.p99Ns)} ${us(run.p999Ns)}  ${same}`,
      );
    }
    const q = r.ratios;
    console.log(
      `${r.name.padEnd(14)} bourse ÷ nodejs-order-book ${q.throughputVsNodejsOrderBook}x; ÷ exchange-core ${q.throughputVsExchangeCore ?? '-'}x (pipeline ${q.throughputVsExchangeCorePipeline ?? '-'}x); p99.9 ÷ exchange-core ${q.p999VsExchangeCore ?? '-'}x; by CPU time ÷ nodejs-order-book ${q.cpuThroughputVsNodejsOrderBook}x, ÷ exchange-core ${q.cpuThroughputVsExchangeCore ?? '-'}x`,
    );
  }
  console.log(
    `${stops.name.padEnd(14)} bourse, no stops ${String(stops.without.opsPerSec).padStart(9)}; with ${stops.waitingStops} waiting stops ${stops.withStops.opsPerSec}: ${stops.throughputRatio}x (by CPU time ${stops.cpuThroughputRatio}x)`,
  );
  console.log(
    `memory: ${memory.orders} resting orders: bourse ${memory.bourse.bytesPerOrder} B/order, exchange-core ${memory['exchange-core']?.bytesPerOrder ?? '-'} B/order`,
  );
  const ec = results.find((r) => r.name === 'exchange-core');
  const targets = {
    threeTimesNodejsOrderBookEverywhere: results.every((r) => r.ratios.throughputVsNodejsOrderBook >= 3),
    thirtyFivePercentOfExchangeCore:
      ec?.ratios.throughputVsExchangeCore == null ? null : ec.ratios.throughputVsExchangeCore >= 0.35,
    p999WithinThreeTimesExchangeCore:
      ec?.ratios.p999VsExchangeCore == null ? null : ec.ratios.p999VsExchangeCore <= 3,
  };
  console.log(
    JSON.stringify({
      benchmark: 'engine',
      machine: `${os.cpus()[0]?.model ?? 'unknown'} x${os.cpus().length}`,
      node: process.version,
      exchangeCore:
        'classpath' in exchangeCore
          ? 'exchange.core2:exchange-core:0.5.3'
          : `skipped: ${exchangeCore.skipped}`,
      rounds: ROUNDS,
      results,
      waitingStops: stops,
      memory,
      targets,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof WorkMismatch ? `benchmark stopped: ${error.message}` : error);
  process.exitCode = 1;
});
