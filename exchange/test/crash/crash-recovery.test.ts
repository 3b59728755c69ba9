import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { SeededRandom } from '../../bench/support/random.ts';
import type { Command, UnstampedCommand } from '../../src/domain/commands.ts';
import { MatchingEngine } from '../../src/engine/engine.ts';
import { FileJournal } from '../../src/journal/file/file-journal.ts';
import type { MariaDbOptions } from '../../src/runtime/mariadb/mariadb-options.ts';
import { decodeCommand } from '../../src/sequencer/command-codec.ts';
import { rebuild } from '../../src/storage/rebuild.ts';
import { SqliteReadModel } from '../../src/storage/sqlite/sqlite-read-model.ts';
import { BTCUSDT, limit } from '../support/engine-driver.ts';
import { dropDatabase, scratchDatabase } from '../support/mariadb.ts';

const CRASHES = Number(process.env.CRASHES ?? 24);
const USERS = 40;
const CHILD = join(import.meta.dirname, 'crash-child.ts');

/** The read model the child projects into: SQLite in its data folder, or a MariaDB database. */
interface Projection {
  readonly name: string;
  readonly mariadb?: MariaDbOptions & { database: string };
}
const PROJECTIONS: readonly Projection[] = [
  { name: 'SQLite' },
  { name: 'MariaDB', mariadb: scratchDatabase('crash') },
];

/** A running child with a line protocol on its stdio. */
class Child {
  readonly process: ChildProcessWithoutNullStreams;
  private readonly waiting: {
    readonly accept: (line: Record<string, unknown>) => boolean;
    readonly reject: (error: Error) => void;
  }[] = [];
  readonly acks: { id: number; seq: number }[] = [];
  readonly exited: Promise<void>;
  /** Set when the child died of something other than the test's SIGKILL. */
  private death: Error | undefined;

  constructor(dataDir: string, projection: Projection) {
    const args = projection.mariadb === undefined ? [] : [JSON.stringify(projection.mariadb)];
    this.process = spawn(process.execPath, [CHILD, dataDir, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    this.process.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) =>
      this.process.on('exit', (code, signal) => {
        // Let stderr drain first: it holds the reason the child died, if any.
        setImmediate(() => {
          if (signal !== 'SIGKILL') {
            this.death = new Error(`the child exited on its own (code ${code}, signal ${signal}): ${stderr}`);
            for (const waiter of this.waiting.splice(0)) waiter.reject(this.death);
          }
          resolve();
        });
      }),
    );
    // A write to a child that died is reported through the waits and the sends, not as an EPIPE.
    this.process.stdin.on('error', () => undefined);
    createInterface({ input: this.process.stdout }).on('line', (text) => {
      const line = JSON.parse(text) as Record<string, unknown>;
      if (typeof line.id === 'number' && typeof line.seq === 'number')
        this.acks.push({ id: line.id, seq: line.seq });
      if (typeof line.error === 'string') throw new Error(`child refused a command: ${line.error}`);
      const index = this.waiting.findIndex((waiter) => waiter.accept(line));
      if (index >= 0) this.waiting.splice(index, 1);
    });
  }

  /** The next line that matches; rejects if the child dies first, so that the test fails, not hangs. */
  next(predicate: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      if (this.death !== undefined) {
        reject(this.death);
        return;
      }
      this.waiting.push({
        accept: (line) => {
          if (!predicate(line)) return false;
          resolve(line);
          return true;
        },
        reject,
      });
    });
  }

  /** Throws if the child died before the test killed it. */
  assertKilledByTest(): void {
    if (this.death !== undefined) throw this.death;
  }

  send(message: object): void {
    if (this.death !== undefined) throw this.death;
    this.process.stdin.write(`${JSON.stringify(message)}\n`);
  }
}

/** Everything the log holds, replayed through a fresh engine and a fresh read model. */
async function cleanReplay(dataDir: string) {
  const journal = await FileJournal.open({ dir: join(dataDir, 'journal'), readOnly: true });
  const commands: Command[] = [];
  for await (const batch of journal.read(1)) {
    for (const record of batch) commands.push(decodeCommand(record.payload, record.seq, record.ts));
  }
  await journal.close();
  const engine = new MatchingEngine();
  const perCommand = commands.map((c) => engine.apply(c));
  const readModel = SqliteReadModel.open({ path: ':memory:' });
  await rebuild(readModel, perCommand, { throughSeq: engine.lastSeq });
  const rows = await readModel.dumpRows();
  await readModel.close();
  return { commands, engine, rowsHash: createHash('sha256').update(JSON.stringify(rows)).digest('hex') };
}

function randomCommand(random: SeededRandom, nextOrderGuess: number): UnstampedCommand {
  const userId = random.int(1, USERS);
  const roll = random.next();
  const side = random.next() < 0.5 ? 'BUY' : 'SELL';
  if (roll < 0.05)
    return { type: 'Deposit', userId, asset: random.pick(['BTC', 'USDT']), amount: random.int(1, 1e9) };
  if (roll < 0.2)
    return {
      type: 'CancelOrder',
      userId,
      symbol: 'BTCUSDT',
      orderId: random.int(1, Math.max(1, nextOrderGuess)),
    };
  if (roll < 0.3)
    return {
      type: 'PlaceOrder',
      userId,
      symbol: 'BTCUSDT',
      side,
      orderType: 'MARKET',
      quantity: random.int(1, 20) * 10_000,
    };
  const price = (3_000_000 + random.int(-30, 30)) * 10_000;
  return limit(userId, side, price, random.int(1, 20) * 10_000, {
    timeInForce: random.pick(['GTC', 'GTC', 'IOC'] as const),
  });
}

describe('crash recovery', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    for (const p of PROJECTIONS) if (p.mariadb !== undefined) await dropDatabase(p.mariadb);
  });

  for (const projection of PROJECTIONS)
    it(`loses no acknowledged command across ${CRASHES} SIGKILLs, and recovers to the clean replay's state and rows (${projection.name} projection)`, async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'bourse-crash-'));
      dirs.push(dataDir);
      const random = new SeededRandom(20261126);
      const sent = new Map<number, UnstampedCommand>();
      const acknowledged = new Map<number, UnstampedCommand>();
      let nextId = 1;
      const setup: UnstampedCommand[] = [
        { type: 'AddAsset', asset: 'BTC', decimals: 8 },
        { type: 'AddAsset', asset: 'USDT', decimals: 6 },
        { type: 'ListMarket', ...BTCUSDT, makerFeePpm: 1_000, takerFeePpm: 2_000 },
      ];
      for (let userId = 1; userId <= USERS; userId++) {
        setup.push({ type: 'Deposit', userId, asset: 'BTC', amount: 10e8 });
        setup.push({ type: 'Deposit', userId, asset: 'USDT', amount: 300_000e6 });
      }

      for (let round = 0; round <= CRASHES; round++) {
        const child = new Child(dataDir, projection);
        const ready = await child.next((line) => line.ready === true);

        // The recovered state must be the clean replay of whatever the log holds.
        const replay = await cleanReplay(dataDir);
        assert.equal(ready.lastSeq, replay.engine.lastSeq, `round ${round}: recovered seq`);
        assert.equal(
          ready.hash,
          replay.engine.stateHash(),
          `round ${round}: state hash equals a clean replay`,
        );
        assert.deepEqual(replay.engine.checkInvariants(), [], `round ${round}: invariants`);
        for (const asset of replay.engine.assets.all()) {
          let held = 0;
          for (const account of replay.engine.balances.all()) {
            held += (account.available[asset.index] ?? 0) + (account.locked[asset.index] ?? 0);
          }
          const deposited = replay.commands
            .filter(
              (c): c is Extract<Command, { type: 'Deposit' }> =>
                c.type === 'Deposit' && c.asset === asset.name,
            )
            .reduce((sum, c) => sum + c.amount, 0);
          assert.equal(held, deposited, `round ${round}: ${asset.name} balances sum to the deposits`);
        }
        // Every acknowledged command is in the log, at the seq it was acknowledged with, unchanged.
        const bySeq = new Map(replay.commands.map((c) => [c.seq, c]));
        for (const [seq, command] of acknowledged) {
          const logged = bySeq.get(seq);
          assert.ok(logged !== undefined, `round ${round}: acknowledged seq ${seq} is missing`);
          const { seq: _s, ts: _t, ...body } = logged;
          assert.deepEqual(
            JSON.parse(JSON.stringify(body)),
            command,
            `round ${round}: seq ${seq} holds another command`,
          );
        }
        // The projection catches up to exactly the rows of one rebuilt from scratch.
        child.send({ state: true });
        const state = await child.next((line) => line.state === true);
        assert.equal(state.projectedSeq, replay.engine.lastSeq, `round ${round}: projection caught up`);
        assert.equal(state.rowsHash, replay.rowsHash, `round ${round}: projection rows equal a rebuild`);
        assert.deepEqual(state.readModelInvariants, []);

        if (round === CRASHES) {
          child.process.kill('SIGKILL');
          await child.exited;
          break;
        }
        const flow = round === 0 ? [...setup] : [];
        const burst = random.int(200, 1_500);
        for (let i = 0; i < burst; i++) flow.push(randomCommand(random, replay.engine.nextOrderId + i));
        for (const command of flow) {
          const id = nextId++;
          sent.set(id, command);
          child.send({ id, command });
        }
        // Kill at a random moment: after a random share of the burst was acknowledged, or right away.
        const killAfter = random.int(0, burst);
        // A child that dies before the kill ends the wait too; assertKilledByTest then reports it.
        while (
          child.acks.length < Math.min(killAfter, flow.length) &&
          child.process.exitCode === null &&
          child.process.signalCode === null
        ) {
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        child.process.kill('SIGKILL');
        await child.exited;
        child.assertKilledByTest();
        for (const ack of child.acks) acknowledged.set(ack.seq, sent.get(ack.id)!);
      }
      assert.ok(acknowledged.size > CRASHES * 50, `only ${acknowledged.size} commands were acknowledged`);
    });
});
