/**
 * Read-model projection throughput and query latency, on SQLite and on MariaDB in one run.
 *
 * A random order flow (resting and crossing limits, cancels, rejections, deposits, withdrawals) is
 * applied through the Projector in batches, as the live pipeline would, to a file-backed SQLite
 * read model (WAL) and to a MariaDB read model (a scratch database on the machine's server,
 * dropped after). Then the queries the API uses most run against each, for random users: openOrders,
 * myTrades, allOrders, klines (1m) and account (balances). Both sides must end at the same position
 * with a sound ledger, and every sampled query must give both the same answer; generation is not
 * timed. MariaDB's figures are printed beside SQLite's, as ratios.
 *
 * Usage: node exchange/bench/read-model.bench.ts [commands=100000] [batchEvents=16384] [queries=2000]
 * MariaDB: BOURSE_BENCH_MARIADB_HOST/PORT/USER (127.0.0.1:3306, root).
 */
import { deepStrictEqual } from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { MariaDbReadModel } from '../src/storage/mariadb/mariadb-read-model.ts';
import { Projector } from '../src/storage/projector.ts';
import type { ReadModelPort } from '../src/storage/read-model-port.ts';
import { SqliteReadModel } from '../src/storage/sqlite/sqlite-read-model.ts';
import { mulberry32, randomFlow } from '../test/support/random-flow.ts';
import { percentile } from './support/latency.ts';

const commands = Number(process.argv[2] ?? 100_000);
const batchEvents = Number(process.argv[3] ?? 16_384);
const queryCount = Number(process.argv[4] ?? 2_000);
const USERS = 1_000;
const SYMBOL = 'BTCUSDT';
const server = {
  host: process.env.BOURSE_BENCH_MARIADB_HOST ?? '127.0.0.1',
  port: Number(process.env.BOURSE_BENCH_MARIADB_PORT ?? 3306),
  user: process.env.BOURSE_BENCH_MARIADB_USER ?? 'root',
};

const script = randomFlow({ commands, users: USERS, seed: 42, meanGapMs: 50 });
const counts = new Map<string, number>();
for (const e of script.events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);

const QUERIES = {
  openOrders: (m: ReadModelPort, user: number) => m.openOrders(user, SYMBOL),
  myTrades: (m: ReadModelPort, user: number) => m.userTrades({ userId: user, symbol: SYMBOL }),
  allOrders: (m: ReadModelPort, user: number) => m.orders({ userId: user, symbol: SYMBOL }),
  klines: (m: ReadModelPort) => m.candles({ symbol: SYMBOL, interval: '1m' }),
  account: (m: ReadModelPort, user: number) => m.balances(user),
} as const;
type QueryName = keyof typeof QUERIES;

interface SideResult {
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly lastAppliedSeq: number;
  readonly invariantViolations: number;
  readonly queries: Record<QueryName, { p50Ms: number; p99Ms: number }>;
}

/** Users to query, the same for both sides. */
const random = mulberry32(7);
const users = Array.from({ length: queryCount }, () => 1 + Math.floor(random() * USERS));

async function measure(model: ReadModelPort): Promise<{ result: SideResult; answers: unknown[] }> {
  const projector = new Projector(model, { maxBatchEvents: batchEvents });
  await projector.start();
  const started = performance.now();
  for (const events of script.commands) projector.publish(events, events[0]?.seq);
  await projector.flush();
  const seconds = (performance.now() - started) / 1000;
  const queries = {} as Record<QueryName, { p50Ms: number; p99Ms: number }>;
  const answers: unknown[] = [];
  for (const [name, query] of Object.entries(QUERIES) as [
    QueryName,
    (m: ReadModelPort, u: number) => Promise<unknown>,
  ][]) {
    const times = new Float64Array(users.length);
    for (let i = 0; i < users.length; i++) {
      const t = performance.now();
      const answer = await query(model, users[i]!);
      times[i] = performance.now() - t;
      // Every 50th answer is compared between the two databases.
      if (i % 50 === 0) answers.push(answer);
    }
    times.sort();
    queries[name] = { p50Ms: round(percentile(times, 0.5)), p99Ms: round(percentile(times, 0.99)) };
  }
  return {
    result: {
      seconds: round(seconds),
      eventsPerSecond: Math.round(script.events.length / seconds),
      lastAppliedSeq: await model.lastAppliedSeq(),
      invariantViolations: (await model.checkInvariants()).length,
      queries,
    },
    answers,
  };
}

function round(value: number): number {
  return Number(value.toFixed(3));
}

const dir = mkdtempSync(join(tmpdir(), 'bourse-read-model-bench-'));
const database = `bourse_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
try {
  const sqlite = SqliteReadModel.open({ path: join(dir, 'read-model.db') });
  const lite = await measure(sqlite);
  await sqlite.close();
  const mariadbModel = await MariaDbReadModel.open({ ...server, database, poolSize: 4 });
  const maria = await measure(mariadbModel).finally(() => mariadbModel.close());

  // Both did the same work: the same position, a sound ledger, the same answers.
  deepStrictEqual(maria.result.lastAppliedSeq, lite.result.lastAppliedSeq);
  deepStrictEqual([lite.result.invariantViolations, maria.result.invariantViolations], [0, 0]);
  deepStrictEqual(maria.answers, lite.answers);

  console.log(`events by type: ${JSON.stringify(Object.fromEntries(counts))}`);
  console.log(
    `${script.events.length} events (${script.commands.length} commands), batches of ${batchEvents}`,
  );
  console.log('                  SQLite          MariaDB         MariaDB/SQLite');
  console.log(
    `events/s          ${String(lite.result.eventsPerSecond).padEnd(16)}${String(maria.result.eventsPerSecond).padEnd(16)}${(maria.result.eventsPerSecond / lite.result.eventsPerSecond).toFixed(2)}`,
  );
  for (const name of Object.keys(QUERIES) as QueryName[]) {
    const a = lite.result.queries[name];
    const b = maria.result.queries[name];
    console.log(
      `${`${name} p50/p99 ms`.padEnd(18)}${`${a.p50Ms}/${a.p99Ms}`.padEnd(16)}${`${b.p50Ms}/${b.p99Ms}`.padEnd(16)}${(b.p99Ms / a.p99Ms).toFixed(2)} (p99)`,
    );
  }
  console.log(
    JSON.stringify({
      commands: script.commands.length,
      events: script.events.length,
      trades: counts.get('Trade') ?? 0,
      batchEvents,
      queriesPerKind: queryCount,
      sqlite: lite.result,
      mariadb: maria.result,
      mariadbToSqliteEventsRatio: round(maria.result.eventsPerSecond / lite.result.eventsPerSecond),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  const connection = await mysql.createConnection(server);
  await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await connection.end();
}
