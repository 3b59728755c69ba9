/**
 * Issue 12, items 2, 3, 17 and 18: what an operator sees. Faults are logged once with their cause
 * and show in /ready; the data folder is owner-only; one exchange holds it at a time; a restart says
 * what its recovery did.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/app/config.ts';
import { type RunningServer, startServer } from '../../src/app/server.ts';
import { LockHeldError } from '../../src/runtime/exclusive-lock.ts';
import { killLeftovers, ServerProcess } from '../support/server-process.ts';
import { encode, sign } from './support/api-harness.ts';

const dirs: string[] = [];
after(() => {
  killLeftovers();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bourse-ops-'));
  dirs.push(dir);
  return dir;
}

/** A pino logger whose lines the test reads. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) if (text !== '') lines.push(JSON.parse(text));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

function start(dataDir: string, logger: pino.Logger): Promise<RunningServer> {
  const config = loadConfig({}, { dataDir, port: 0, adminPort: 0, marketMaker: false, batchWindowMs: 0 });
  return startServer(config, logger);
}

async function placeOrder(server: RunningServer, price: string): Promise<Response> {
  return placeOrderAt(server.baseUrl, server.demoKeys.find((k) => k.name === 'alice')!, price);
}

async function placeOrderAt(
  baseUrl: string,
  key: { apiKey: string; secretKey: string },
  price: string,
): Promise<Response> {
  const payload = encode({
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '0.01',
    price,
    timestamp: Date.now(),
  });
  return fetch(`${baseUrl}/api/v3/order?${payload}&signature=${sign(payload, key.secretKey)}`, {
    method: 'POST',
    headers: { 'X-MBX-APIKEY': key.apiKey },
  });
}

/** Every path under `root` with its mode. */
function modes(root: string): { path: string; mode: number; dir: boolean }[] {
  const out: { path: string; mode: number; dir: boolean }[] = [];
  const visit = (path: string) => {
    const stat = statSync(path);
    out.push({ path, mode: stat.mode & 0o777, dir: stat.isDirectory() });
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return out;
}

/** The descriptor this process holds on `path`, from /proc/self/fd. */
function fdOf(path: string): number | undefined {
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${name}`) === path) return Number(name);
    } catch {
      // Closed while listed.
    }
  }
  return undefined;
}

describe('faults and health', () => {
  test('/health and /ready answer 200 with JSON while the exchange can take orders', async () => {
    const { logger } = capturingLogger();
    const server = await start(freshDir(), logger);
    try {
      const health = await fetch(`${server.baseUrl}/health`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'alive' });
      const ready = await fetch(`${server.baseUrl}/ready`);
      assert.equal(ready.status, 200);
      const body = (await ready.json()) as { status: string; problems: string[]; readModelLag: number };
      assert.equal(body.status, 'ready');
      assert.deepEqual(body.problems, []);
    } finally {
      await server.close();
    }
  });

  test('a journal I/O failure is logged once with its cause, orders are refused, and /ready answers 503 saying why', {
    skip: process.platform !== 'linux' && 'swaps a descriptor through /proc/self/fd',
  }, async () => {
    const dataDir = freshDir();
    const { logger, lines } = capturingLogger();
    const server = await start(dataDir, logger);
    try {
      assert.equal((await placeOrder(server, '50000.00')).status, 200);
      // The disk fills up: the journal's segment descriptor now points at /dev/full (ENOSPC).
      const segment = server.exchange.journal.segments().at(-1)!.path;
      const fd = fdOf(segment);
      assert.ok(fd !== undefined, 'the journal holds its segment open');
      closeSync(fd);
      const full = openSync('/dev/full', 'r+');
      assert.equal(full, fd, 'the lowest free descriptor is the one just closed');
      const refused = await placeOrder(server, '50001.00');
      assert.ok(refused.status >= 400, `status ${refused.status}`);
      const again = await placeOrder(server, '50002.00');
      assert.ok(again.status >= 400);
      const faults = lines.filter((l) => l.component === 'sequencer');
      assert.equal(faults.length, 1, `logged once: ${JSON.stringify(faults)}`);
      const err = faults[0]!.err as { message: string; code: string; cause?: { code?: string } };
      assert.equal(err.code, 'JOURNAL_IO');
      assert.match(JSON.stringify(err), /ENOSPC/);
      const ready = await fetch(`${server.baseUrl}/ready`);
      assert.equal(ready.status, 503);
      const body = (await ready.json()) as { status: string; problems: string[] };
      assert.equal(body.status, 'not ready');
      assert.ok(
        body.problems.some((p) => p.startsWith('the sequencer stopped: journal write failed')),
        body.problems.join('; '),
      );
      assert.ok(
        body.problems.some((p) => p.startsWith('the log refuses appends')),
        body.problems.join('; '),
      );
      assert.equal((await fetch(`${server.baseUrl}/health`)).status, 200, 'alive all the same');
    } finally {
      await server.close().catch(() => undefined);
    }
  });

  test('a failed snapshot is logged with its cause and shown by /ready', async () => {
    const dataDir = freshDir();
    const { logger, lines } = capturingLogger();
    const server = await start(dataDir, logger);
    try {
      assert.equal((await placeOrder(server, '50000.00')).status, 200);
      // One that works: the replica has opened its store by then.
      await server.exchange.snapshotter.take();
      assert.equal(server.exchange.snapshotter.lastFailure(), null);
      // The snapshot folder vanishes (an operator's rm, a lost mount).
      rmSync(join(dataDir, 'snapshots'), { recursive: true });
      await server.exchange.snapshotter.take();
      const logged = lines.filter((l) => l.component === 'snapshots');
      assert.equal(logged.length, 1, JSON.stringify(lines.filter((l) => (l.level as number) >= 50)));
      assert.match(JSON.stringify(logged[0]!.err), /ENOENT/);
      const body = (await (await fetch(`${server.baseUrl}/ready`)).json()) as { snapshotFailure?: string };
      assert.match(body.snapshotFailure ?? '', /ENOENT/);
      mkdirSync(join(dataDir, 'snapshots'), { mode: 0o700 });
    } finally {
      await server.close();
    }
  });
});

describe('recovery', () => {
  test('a restart after a SIGKILL logs one line per step with its figures', async () => {
    const dataDir = freshDir();
    const first = await start(dataDir, capturingLogger().logger);
    const alice = first.demoKeys.find((k) => k.name === 'alice')!;
    for (let i = 0; i < 5; i++) assert.equal((await placeOrder(first, `${50_000 + i}.00`)).status, 200);
    await first.close();
    // Commands after the final snapshot, then a kill: the next start replays them.
    const second = ServerProcess.start(dataDir);
    const { url } = await second.listening();
    for (let i = 0; i < 3; i++)
      assert.equal((await placeOrderAt(url, alice, `${49_000 + i}.00`)).status, 200);
    second.child.kill('SIGKILL');
    await second.exited;

    const third = ServerProcess.start(dataDir);
    await third.listening();
    third.child.kill('SIGTERM');
    await third.exited;
    const step = (name: string) => {
      const line = third.lines.find((l) => l.msg === `recovery: ${name}`);
      assert.ok(line !== undefined, `no "${name}" line in ${JSON.stringify(third.lines.map((l) => l.msg))}`);
      return line;
    };
    const journal = step('journal opened');
    const lastSeq = journal.lastSeq as number;
    assert.equal(typeof journal.ms, 'number');
    const snapshot = step('snapshot loaded');
    assert.ok(
      (snapshot.seq as number) > 0 && (snapshot.seq as number) < lastSeq,
      `${snapshot.seq} < ${lastSeq}`,
    );
    assert.match(snapshot.file as string, /snapshot-\d+\.snap$/);
    const replayed = step('commands replayed');
    assert.equal(replayed.commands, lastSeq - (snapshot.seq as number));
    assert.ok((replayed.commands as number) >= 3);
    assert.equal(replayed.throughSeq, lastSeq);
    assert.equal(step('read model caught up').throughSeq, lastSeq);
    assert.equal(typeof step('recovered').ms, 'number');
  });
});

describe('the data folder', () => {
  test('is owner-only: folders 0700, files 0600, whatever the umask', async () => {
    const dataDir = freshDir();
    chmodSync(dataDir, 0o700);
    const server = await start(dataDir, capturingLogger().logger);
    assert.equal((await placeOrder(server, '50000.00')).status, 200);
    await server.close();
    const all = modes(dataDir);
    for (const name of [
      'journal',
      'snapshots',
      'read-model.sqlite',
      'read-model.sqlite-wal',
      'accounts.sqlite',
      'master.key',
      'admin-token',
      'admin-endpoint.json',
    ]) {
      assert.ok(all.some((m) => m.path === join(dataDir, name)) || name.endsWith('-wal'), `${name} exists`);
    }
    assert.ok(all.some((m) => m.path.endsWith('.seg')) && all.some((m) => m.path.endsWith('.snap')));
    const loose = all.filter((m) => m.mode !== (m.dir ? 0o700 : 0o600));
    assert.deepEqual(
      loose.map((m) => `${m.path} ${m.mode.toString(8)}`),
      [],
    );
  });

  test('a start that finds looser modes names the paths and tightens them', async () => {
    const dataDir = freshDir();
    await (await start(dataDir, capturingLogger().logger)).close();
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'journal'), 0o755);
    chmodSync(join(dataDir, 'accounts.sqlite'), 0o644);
    writeFileSync(join(dataDir, 'notes.txt'), 'left by hand\n', { mode: 0o644 });
    chmodSync(join(dataDir, 'notes.txt'), 0o644);
    const { logger, lines } = capturingLogger();
    const server = await start(dataDir, logger);
    await server.close();
    const warning = lines.find(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('the data folder let other users in'),
    );
    assert.ok(warning !== undefined);
    assert.deepEqual(
      (warning.paths as { path: string; mode: string }[]).map((p) => `${p.path} ${p.mode}`).sort(),
      [
        `${dataDir} 0755`,
        `${join(dataDir, 'accounts.sqlite')} 0644`,
        `${join(dataDir, 'journal')} 0755`,
        `${join(dataDir, 'notes.txt')} 0644`,
      ],
    );
    assert.deepEqual(
      modes(dataDir).filter((m) => m.mode !== (m.dir ? 0o700 : 0o600)),
      [],
    );
  });

  test('is held by one exchange: a second start is refused naming the holder, before it reads anything', async () => {
    const dataDir = freshDir();
    const first = await start(dataDir, capturingLogger().logger);
    const endpoint = readFileSync(join(dataDir, 'admin-endpoint.json'), 'utf8');
    try {
      const second = start(dataDir, capturingLogger().logger);
      // Should the second one start, it is closed rather than left serving.
      second.then((server) => server.close()).catch(() => undefined);
      await assert.rejects(
        second,
        (error: unknown) =>
          error instanceof LockHeldError &&
          error.holderPid === process.pid &&
          error.message.includes(`another exchange: process ${process.pid}`),
      );
      assert.equal(
        readFileSync(join(dataDir, 'admin-endpoint.json'), 'utf8'),
        endpoint,
        'the CLI still finds the first',
      );
      assert.equal((await placeOrder(first, '50000.00')).status, 200, 'the first serves on');
    } finally {
      await first.close();
    }
    // Released by a clean stop.
    await (await start(dataDir, capturingLogger().logger)).close();
  });

  test("a second `npm start` process is refused naming the first one's pid; a SIGKILLed holder does not block the next start", async () => {
    const dataDir = freshDir();
    const started: ServerProcess[] = [];
    try {
      const holder = ServerProcess.start(dataDir);
      started.push(holder);
      await holder.listening();
      const second = ServerProcess.start(dataDir);
      started.push(second);
      const exit = await Promise.race([
        second.exited,
        second.listening().then(() => ({ code: 'listening' })),
      ]);
      assert.equal(exit.code, 1, 'the second start was refused');
      assert.match(second.stderr, new RegExp(`held by another exchange: process ${holder.child.pid}\\b`));
      holder.child.kill('SIGKILL');
      await holder.exited;
      const next = ServerProcess.start(dataDir);
      started.push(next);
      await next.listening();
      next.child.kill('SIGTERM');
      assert.equal((await next.exited).code, 0);
    } finally {
      // A failed assertion must not leave a server running (its pipes would keep this test alive).
      for (const server of started) {
        if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
      }
    }
  });
});
