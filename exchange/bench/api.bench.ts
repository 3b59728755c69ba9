/**
 * npm run bench:api — in one run: a bare node:http server answering a fixed JSON body (the
 * baseline) and Bourse's REST on the same machine, taking turns for BENCH_ROUNDS rounds (3): public
 * depth reads and signed order placement (a mix of resting orders and their cancels, each one made
 * durable before it is answered), each as a ratio to the baseline of its round, the median round
 * reported; then the order round trip at a fixed 5,000 orders/s, and a WebSocket fan-out of depth
 * updates to 1,000 connections. Between them, signed orders with /metrics off and on (the collector
 * subscribed and scraped every second), alternated for BENCH_METRICS_ROUNDS rounds (3), as a ratio. Load comes from child processes (bench/api/http-load.ts, bench/api/ws-clients.ts) so
 * that generator and server have a core each. Prints a table, then one JSON line with every figure.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../src/app/config.ts';
import { startServer } from '../src/app/server.ts';
import { parseAmount } from '../src/domain/amount.ts';
import type { LoadJob, LoadResult } from './api/http-load.ts';

const LOADER = fileURLToPath(new URL('./api/http-load.ts', import.meta.url));
const WS_CLIENTS = fileURLToPath(new URL('./api/ws-clients.ts', import.meta.url));
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5_000);
const WARMUP_MS = 1_000;
const CONNECTIONS = 64;
const WS_CONNECTIONS = 1_000;
const ORDER_RATE = 5_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const METRICS_ROUNDS = Number(process.env.BENCH_METRICS_ROUNDS ?? 3);

function load(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [LOADER, JSON.stringify(job)],
      { maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as LoadResult);
      },
    );
  });
}

/** The baseline: a bare node:http server answering a fixed JSON body. Returns its port and a closer. */
async function startBaseline(): Promise<{ port: number; close: () => Promise<void> }> {
  const body = '{"lastUpdateId":1,"bids":[["60000.00","1.0"]],"asks":[["60001.00","1.0"]]}';
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  return items.reduce((total, item) => total + of(item), 0);
}

/** The round whose ratio is the median: rounds interleave, so a noisy minute hits all three alike. */
function medianRound<T extends { ratioPct: number }>(rounds: readonly T[]): T {
  return [...rounds].sort((a, b) => a.ratioPct - b.ratioPct)[Math.floor(rounds.length / 2)]!;
}

async function main(): Promise<void> {
  const bare = await startBaseline();

  const dataDir = mkdtempSync(join(os.tmpdir(), 'bourse-bench-api-'));
  const unlimited = Number.MAX_SAFE_INTEGER;
  const config = loadConfig(
    {},
    {
      dataDir,
      port: 0,
      adminPort: 0,
      metricsPort: 0,
      marketMaker: false,
      logLevel: 'warn',
      requestWeightPerMinute: unlimited,
      ordersPer10s: unlimited,
      ordersPerDay: unlimited,
      // 1,000 WebSocket connections from one IP, and signed requests by the hundred thousand.
      wsConnectionsPer5Min: 1_000_000,
      failedAuthPerMinute: unlimited,
      maxInFlight: 1_000_000,
    },
  );
  const server = await startServer(config, pino({ level: 'warn' }));
  const exchange = server.exchange;
  const alice = server.demoKeys.find((k) => k.name === 'alice')!;
  const bob = server.demoKeys.find((k) => k.name === 'bob')!;
  // A book 20 levels deep on each side, 1 USDT apart.
  for (let i = 0; i < 20; i++) {
    for (const [userId, side, price] of [
      [bob.userId, 'SELL', 60_001 + i],
      [alice.userId, 'BUY', 59_999 - i],
    ] as const) {
      await exchange.submit({
        type: 'PlaceOrder',
        userId,
        symbol: 'BTCUSDT',
        side,
        orderType: 'LIMIT',
        timeInForce: 'GTC',
        price: parseAmount(String(price), 6),
        quantity: parseAmount('0.25', 8),
      });
    }
  }
  const depthPath = '/api/v3/depth?symbol=BTCUSDT&limit=20';
  const depthBytes = (await (await fetch(`${server.baseUrl}${depthPath}`)).text()).length;
  const orderTarget = {
    kind: 'orders',
    apiKey: alice.apiKey,
    secret: alice.secretKey,
    symbol: 'BTCUSDT',
  } as const;
  const closedLoop = { connections: CONNECTIONS, durationMs: DURATION_MS, warmupMs: WARMUP_MS };
  const seqBefore = exchange.engine.lastSeq;
  // Baseline, depth and orders take turns, ROUNDS times; each ratio is to the baseline of its round.
  const rounds: { base: LoadResult; depth: LoadResult; orders: LoadResult }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const base = await load({ ...closedLoop, port: bare.port, target: { kind: 'get', path: '/' } });
    const depth = await load({ ...closedLoop, port: server.port, target: { kind: 'get', path: depthPath } });
    const orders = await load({ ...closedLoop, port: server.port, target: orderTarget });
    rounds.push({ base, depth, orders });
  }
  await bare.close();
  const pct = (r: LoadResult, base: LoadResult) => Math.round((r.rps / base.rps) * 1000) / 10;
  const depthRounds = rounds.map((r) => ({ ...r.depth, base: r.base, ratioPct: pct(r.depth, r.base) }));
  const orderRounds = rounds.map((r) => ({ ...r.orders, base: r.base, ratioPct: pct(r.orders, r.base) }));
  const depth = medianRound(depthRounds);
  const orders = medianRound(orderRounds);
  const fixedRate = await load({
    port: server.port,
    connections: 256,
    durationMs: DURATION_MS,
    warmupMs: WARMUP_MS,
    ratePerSec: ORDER_RATE,
    target: orderTarget,
  });
  const journaled = exchange.engine.lastSeq - seqBefore;

  // /metrics on and off, alternated (which goes first flips each round, so a drift of the machine
  // hits both alike): off unsubscribes the collector from every channel, so the core publishes
  // nothing; on subscribes it and scrapes /metrics every second, as the local vmagent does.
  const collector = server.metrics?.collector;
  if (collector === undefined) throw new Error('bench:api needs metrics on (BOURSE_METRICS)');
  const scrapeUrl = `${server.metrics!.url}/metrics`;
  const metricsRounds: { on: LoadResult; off: LoadResult; scrapes: number; ratioPct: number }[] = [];
  for (let i = 0; i < METRICS_ROUNDS; i++) {
    const run = async (on: boolean) => {
      if (on) collector.resume();
      else collector.stop();
      let scrapes = 0;
      const scraper = on
        ? setInterval(() => {
            void fetch(scrapeUrl).then(async (r) => {
              await r.text();
              scrapes++;
            });
          }, 1_000)
        : undefined;
      const before = exchange.engine.lastSeq;
      const result = await load({ ...closedLoop, port: server.port, target: orderTarget });
      clearInterval(scraper);
      return { result, scrapes, commands: exchange.engine.lastSeq - before };
    };
    const first = await run(i % 2 === 0);
    const second = await run(i % 2 !== 0);
    const [on, off] = i % 2 === 0 ? [first, second] : [second, first];
    for (const side of [on, off]) {
      // Same work on both sides: every request answered 2xx, and each one sequenced a command.
      if (side.result.non2xx > 0)
        throw new Error(`metrics round ${i + 1}: ${side.result.non2xx} refused orders`);
      if (side.commands < side.result.requests) {
        throw new Error(
          `metrics round ${i + 1}: ${side.result.requests} orders but ${side.commands} commands`,
        );
      }
    }
    metricsRounds.push({
      on: on.result,
      off: off.result,
      scrapes: on.scrapes,
      ratioPct: Math.round((on.result.rps / off.result.rps) * 1000) / 10,
    });
  }
  collector.resume();
  const metricsMedian = medianRound(metricsRounds);

  // WebSocket fan-out: 1,000 sockets on btcusdt@depth@100ms while the book changes 500 times a second.
  const scheme = server.baseUrl.startsWith('https') ? 'wss' : 'ws';
  const ws = spawn(
    process.execPath,
    [
      WS_CLIENTS,
      JSON.stringify({
        url: `${scheme}://127.0.0.1:${server.port}/ws/btcusdt@depth@100ms`,
        connections: WS_CONNECTIONS,
      }),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let wsOut = '';
  ws.stdout.setEncoding('utf8');
  await new Promise<void>((resolve) =>
    ws.stdout.on('data', (text: string) => {
      wsOut += text;
      if (wsOut.includes('ready')) resolve();
    }),
  );
  let stop = false;
  let updates = 0;
  const driver = (async () => {
    let n = 0;
    while (!stop) {
      const price = parseAmount(String(59_000 + (n++ % 200)), 6);
      await Promise.all([
        exchange.submit({
          type: 'PlaceOrder',
          userId: alice.userId,
          symbol: 'BTCUSDT',
          side: 'BUY',
          orderType: 'LIMIT',
          timeInForce: 'GTC',
          price,
          quantity: parseAmount('0.01', 8),
        }),
        new Promise((resolve) => setTimeout(resolve, 2)),
      ]);
      updates++;
    }
  })();
  ws.stdin.write('start\n');
  await new Promise((resolve) => setTimeout(resolve, DURATION_MS));
  const wsDone = new Promise<string>((resolve) => ws.on('exit', () => resolve(wsOut)));
  ws.stdin.write('stop\n');
  const fanout = JSON.parse((await wsDone).split('\n').find((l) => l.startsWith('{'))!) as {
    connections: number;
    messagesPerSec: number;
    p50Ms: number;
    p99Ms: number;
    closedEarly: number;
  };
  stop = true;
  await driver;
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });

  const row = (name: string, r: LoadResult, extra = '') =>
    `${name.padEnd(42)} ${String(r.rps).padStart(8)} req/s   p50 ${r.p50Ms.toFixed(3).padStart(7)} ms   p99 ${r.p99Ms.toFixed(3).padStart(7)} ms   ${extra}`;
  console.log(
    `bench:api on ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), Node ${process.version}; ${DURATION_MS / 1000} s per run after ${WARMUP_MS / 1000} s warm-up, ${CONNECTIONS} keep-alive connections; ${ROUNDS} interleaved rounds of baseline, depth and orders`,
  );
  rounds.forEach((r, i) => {
    console.log(`round ${i + 1}`);
    console.log(row('  baseline: bare node:http, fixed JSON', r.base));
    console.log(
      row(`  depth reads (limit=20, ${depthBytes} B)`, r.depth, `${pct(r.depth, r.base)}% of baseline`),
    );
    console.log(
      row('  signed orders (place/cancel mix, fsync)', r.orders, `${pct(r.orders, r.base)}% of baseline`),
    );
  });
  console.log(
    `median of the rounds: depth ${depth.ratioPct}% of baseline (target >= 70%), signed orders ${orders.ratioPct}% (target >= 25%)`,
  );
  console.log(row(`orders at a fixed ${ORDER_RATE}/s (open loop)`, fixedRate, `p99 target < 10 ms`));
  metricsRounds.forEach((r, i) => {
    console.log(row(`metrics round ${i + 1}: orders, /metrics off`, r.off));
    console.log(
      row(`metrics round ${i + 1}: orders, /metrics on`, r.on, `${r.ratioPct}% of off, ${r.scrapes} scrapes`),
    );
  });
  console.log(`metrics on/off, median round: ${metricsMedian.ratioPct}% (target within 3%: >= 97%)`);
  console.log(
    `ws fan-out: ${fanout.connections} sockets on btcusdt@depth@100ms, ${Math.round(updates / (DURATION_MS / 1000))} book updates/s: ${fanout.messagesPerSec} msg/s delivered, event-to-client p50 ${fanout.p50Ms} ms p99 ${fanout.p99Ms} ms, ${fanout.closedEarly} dropped`,
  );
  console.log(
    `commands journaled during the order runs: ${journaled}; non-2xx answers: depth ${sum(depthRounds, (r) => r.non2xx)}, orders ${sum(orderRounds, (r) => r.non2xx) + fixedRate.non2xx}`,
  );
  const refusals = [...depthRounds, ...orderRounds, fixedRate].flatMap((r) => r.non2xxSamples);
  if (refusals.length > 0) console.log(`first refused answers: ${refusals.slice(0, 5).join(' | ')}`);
  console.log(
    JSON.stringify({
      cpus: os.cpus().length,
      node: process.version,
      durationMs: DURATION_MS,
      connections: CONNECTIONS,
      rounds: ROUNDS,
      depth: { ...depth, bodyBytes: depthBytes, ratioPctByRound: depthRounds.map((r) => r.ratioPct) },
      orders: { ...orders, ratioPctByRound: orderRounds.map((r) => r.ratioPct) },
      ordersFixedRate: { ...fixedRate, targetRps: ORDER_RATE },
      journaledCommands: journaled,
      metricsOnOff: {
        ratioPct: metricsMedian.ratioPct,
        ratioPctByRound: metricsRounds.map((r) => r.ratioPct),
        onRps: metricsMedian.on.rps,
        offRps: metricsMedian.off.rps,
      },
      wsFanout: { ...fanout, bookUpdatesPerSec: Math.round(updates / (DURATION_MS / 1000)) },
    }),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
