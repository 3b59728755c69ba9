/**
 * npm run bench:snapshot — how long taking a snapshot stops the exchange's event loop, with the state
 * serialized on that thread (the baseline) and by the replica on its worker thread, on the same
 * exchange: BENCH_ORDERS resting orders (100,000) from BENCH_USERS accounts. Measured: the
 * synchronous part of the snapshotter's take() (the loop can serve nothing meanwhile), the longest
 * gap between 1 ms ticks of the loop until the snapshot is durable, and the time until then. Prints a table,
 * then one JSON line with every figure.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EmbeddedExchange } from '../src/app/embedded-exchange.ts';
import type { UnstampedCommand } from '../src/domain/commands.ts';
import { LOT, setupCommands as marketSetup, SYMBOL, TICK } from './engine/workloads.ts';
import { percentile } from './support/latency.ts';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 100_000);
const USERS = Number(process.env.BENCH_USERS ?? 2_000);
const ROUNDS = 3;

/** The engine benchmark's market, and accounts funded for their share of the resting orders. */
function setup(): UnstampedCommand[] {
  const commands = marketSetup(0).map(({ seq: _seq, ts: _ts, ...command }) => command as UnstampedCommand);
  for (let userId = 1; userId <= USERS; userId++) {
    commands.push({ type: 'Deposit', userId, asset: 'BTC', amount: 100_000_000_000 });
    commands.push({ type: 'Deposit', userId, asset: 'USDT', amount: 1_000_000_000_000 });
  }
  return commands;
}

/** Resting orders only: bids below 29,000 and asks above 31,000, over 5,000 levels a side. */
function restingOrder(i: number): UnstampedCommand {
  const buy = i % 2 === 0;
  const ticks = buy ? 2_900_000 - (i % 5_000) : 3_100_000 + (i % 5_000);
  return {
    type: 'PlaceOrder',
    userId: 1 + (i % USERS),
    symbol: SYMBOL,
    side: buy ? 'BUY' : 'SELL',
    orderType: 'LIMIT',
    timeInForce: 'GTC',
    price: ticks * TICK,
    quantity: LOT * (1 + (i % 5)),
  };
}

async function submitAll(exchange: EmbeddedExchange, commands: readonly UnstampedCommand[]): Promise<void> {
  for (let i = 0; i < commands.length; i += 5_000) {
    await Promise.all(commands.slice(i, i + 5_000).map((command) => exchange.submit(command)));
  }
}

/** The longest gap between 1 ms ticks of the loop, from before take() until the snapshot is durable. */
async function measure(exchange: EmbeddedExchange) {
  let last = performance.now();
  let maxGapMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 1);
  await new Promise((resolve) => setTimeout(resolve, 20));
  maxGapMs = 0;
  const start = performance.now();
  const written = exchange.snapshotter.take();
  const blockedMs = performance.now() - start;
  await written;
  const writtenMs = performance.now() - start;
  await new Promise((resolve) => setTimeout(resolve, 5));
  clearInterval(ticker);
  return { blockedMs, maxLoopGapMs: maxGapMs, writtenMs };
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );

async function run(offThread: boolean) {
  const dataDir = await mkdtemp(join(os.tmpdir(), 'bourse-bench-snapshot-'));
  try {
    const exchange = await EmbeddedExchange.open({
      dataDir,
      snapshots: { everyCommands: 1e9, everyMs: 1e9 },
      snapshotsOffThread: offThread,
    });
    await submitAll(exchange, setup());
    await submitAll(
      exchange,
      Array.from({ length: ORDERS }, (_, i) => restingOrder(i)),
    );
    if (exchange.engine.orders.size !== ORDERS) {
      throw new Error(`expected ${ORDERS} resting orders, the book holds ${exchange.engine.orders.size}`);
    }
    const rounds = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(await measure(exchange));
    if (offThread && exchange.snapshotReplica?.failure() !== undefined)
      throw exchange.snapshotReplica.failure();
    const [newest] = await exchange.snapshots.list();
    await exchange.close({ finalSnapshot: false });
    return {
      blockedMs: round(median(rounds.map((r) => r.blockedMs))),
      maxLoopGapMs: round(median(rounds.map((r) => r.maxLoopGapMs))),
      writtenMs: round(median(rounds.map((r) => r.writtenMs))),
      snapshotBytes: newest?.bytes ?? 0,
    };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

const inThread = await run(false);
const replica = await run(true);
console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown'} x${os.cpus().length}, node ${process.version}; ${ORDERS} resting orders, ${USERS} accounts, snapshot ${(replica.snapshotBytes / 1e6).toFixed(1)} MB; median of ${ROUNDS}`,
);
for (const [label, r] of [
  ['on the exchange thread (baseline)', inThread],
  ['by the replica thread', replica],
] as const) {
  console.log(
    `${label.padEnd(34)} loop stopped ${String(r.blockedMs).padStart(7)} ms   longest gap between loop ticks ${String(r.maxLoopGapMs).padStart(7)} ms   durable after ${String(r.writtenMs).padStart(7)} ms`,
  );
}
console.log(
  `the replica stops the loop ${round(inThread.blockedMs / Math.max(replica.blockedMs, 0.1))}x less (longest gap ${round(inThread.maxLoopGapMs / Math.max(replica.maxLoopGapMs, 1))}x shorter)`,
);
console.log(
  JSON.stringify({
    benchmark: 'snapshot',
    node: process.version,
    cpus: os.cpus().length,
    restingOrders: ORDERS,
    accounts: USERS,
    inThread,
    replica,
  }),
);
