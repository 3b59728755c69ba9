import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, it } from 'node:test';
import { BTCUSDT } from '../../../test/support/engine-driver.ts';
import type { UnstampedCommand } from '../../domain/commands.ts';
import { MatchingEngine } from '../../engine/engine.ts';
import type { EngineSnapshot } from '../../engine/snapshot.ts';
import { FileSnapshotStore } from '../../journal/snapshots/file/file-snapshot-store.ts';
import type { SnapshotSource } from '../../sequencer/snapshot-source.ts';
import { EmbeddedExchange } from '../embedded-exchange.ts';
import { SnapshotReplica } from './snapshot-replica.ts';

let dir = '';
afterEach(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

const setup: UnstampedCommand[] = [
  { type: 'AddAsset', asset: 'BTC', decimals: 8 },
  { type: 'AddAsset', asset: 'USDT', decimals: 6 },
  { type: 'ListMarket', ...BTCUSDT },
];

/** Deposits, then limit orders around one price, so that some rest and some trade. */
function flow(from: number, count: number): UnstampedCommand[] {
  const commands: UnstampedCommand[] = [];
  for (let i = from; i < from + count; i++) {
    const userId = 1 + (i % 7);
    if (i % 5 === 0) {
      commands.push({ type: 'Deposit', userId, asset: i % 2 === 0 ? 'BTC' : 'USDT', amount: 10_000_000_000 });
      continue;
    }
    commands.push({
      type: 'PlaceOrder',
      userId,
      symbol: 'BTCUSDT',
      side: i % 2 === 0 ? 'BUY' : 'SELL',
      orderType: 'LIMIT',
      timeInForce: 'GTC',
      price: (30_000 + ((i * 7) % 11) - 5) * 1_000_000,
      quantity: 10_000 * (1 + (i % 3)),
    });
  }
  return commands;
}

async function submitAll(exchange: EmbeddedExchange, commands: readonly UnstampedCommand[]): Promise<void> {
  await Promise.all(commands.map((command) => exchange.submit(command)));
}

/** The state the newest snapshot file holds, checked by the store. */
async function newestSnapshot(dataDir: string): Promise<{ seq: number; hash: string }> {
  const store = await FileSnapshotStore.open(join(dataDir, 'snapshots'));
  const [newest] = await store.list();
  assert.ok(newest !== undefined, 'a snapshot was written');
  const loaded = await store.load(newest.file);
  assert.ok(!('reason' in loaded), 'the snapshot passes its checks');
  const state = JSON.parse(new TextDecoder().decode(loaded.body)) as EngineSnapshot;
  return { seq: loaded.seq, hash: MatchingEngine.restore(state).stateHash() };
}

it('writes snapshots off the thread that hold exactly the exchange state, after a restart too', async () => {
  dir = await mkdtemp(join(tmpdir(), 'bourse-replica-'));
  const failures: Error[] = [];
  const options = {
    dataDir: dir,
    snapshots: { everyCommands: 1e9, everyMs: 1e9 },
    pruneJournal: false,
    onSnapshotReplicaFailure: (error: Error) => failures.push(error),
  };
  let exchange = await EmbeddedExchange.open(options);
  assert.ok(exchange.snapshotReplica !== undefined);
  await submitAll(exchange, [...setup, ...flow(0, 300)]);
  await exchange.snapshotter.take();
  assert.deepEqual(await newestSnapshot(dir), {
    seq: exchange.engine.lastSeq,
    hash: exchange.engine.stateHash(),
  });
  await exchange.close({ finalSnapshot: false });

  // Restarted, the replica starts from the log at the exchange's position, then follows it.
  exchange = await EmbeddedExchange.open(options);
  await submitAll(exchange, flow(300, 300));
  await exchange.snapshotter.take();
  assert.deepEqual(await newestSnapshot(dir), {
    seq: exchange.engine.lastSeq,
    hash: exchange.engine.stateHash(),
  });
  assert.equal(exchange.snapshotReplica?.failure(), undefined);
  assert.deepEqual(await exchange.snapshotReplica?.stateHash(), {
    seq: exchange.engine.lastSeq,
    hash: exchange.engine.stateHash(),
  });
  // A clean stop checks the replica against the exchange: they agree, nothing is reported.
  await exchange.close();
  assert.deepEqual(failures, []);
});

it('at a clean stop, finds a replica that differs, reports it and writes the final snapshot again', async () => {
  dir = await mkdtemp(join(tmpdir(), 'bourse-replica-'));
  const failures: Error[] = [];
  const exchange = await EmbeddedExchange.open({
    dataDir: dir,
    snapshots: { everyCommands: 1e9, everyMs: 1e9 },
    onSnapshotReplicaFailure: (error) => failures.push(error),
  });
  await submitAll(exchange, [...setup, ...flow(0, 50)]);
  // A command applied behind the sequencer's back: the replica never hears of it.
  const seq = exchange.engine.lastSeq + 1;
  exchange.engine.apply({ type: 'Deposit', seq, ts: seq, userId: 1, asset: 'BTC', amount: 1 });
  const expected = { seq, hash: exchange.engine.stateHash() };
  await exchange.close();
  assert.equal(failures.length, 1);
  assert.match(failures[0]!.message, /differs from the exchange's/);
  assert.deepEqual(await newestSnapshot(dir), expected);
});

it('falls back to the other source, and says so once, when the replica cannot start', async () => {
  dir = await mkdtemp(join(tmpdir(), 'bourse-replica-'));
  const failures: Error[] = [];
  let fallbackWrites = 0;
  const fallback: SnapshotSource = {
    write: async () => {
      fallbackWrites++;
      return 42;
    },
  };
  // The journal is empty, so it cannot reach seq 5: the replica's recovery fails.
  await mkdir(join(dir, 'journal'));
  const replica = new SnapshotReplica({
    journalDir: join(dir, 'journal'),
    snapshotsDir: join(dir, 'snapshots'),
    throughSeq: 5,
    fallback,
    onFailure: (error) => failures.push(error),
  });
  assert.equal(await replica.write(1), 42);
  assert.equal(await replica.write(2), 42);
  assert.equal(fallbackWrites, 2);
  assert.equal(failures.length, 1);
  assert.match(failures[0]!.message, /before 5/);
  await replica.close();
});

it("reports a failed write and carries on: the next snapshot is the replica's again", async () => {
  dir = await mkdtemp(join(tmpdir(), 'bourse-replica-'));
  const snapshotsDir = join(dir, 'snapshots');
  await mkdir(join(dir, 'journal'));
  await mkdir(snapshotsDir);
  let fallbackWrites = 0;
  const replica = new SnapshotReplica({
    journalDir: join(dir, 'journal'),
    snapshotsDir,
    throughSeq: 0,
    fallback: {
      write: async () => {
        fallbackWrites++;
        return -1;
      },
    },
  });
  assert.equal(await replica.write(1), 0);
  // The folder is gone: the write fails, and that failure is the caller's to report.
  await rm(snapshotsDir, { recursive: true });
  await assert.rejects(replica.write(2), /ENOENT/);
  await mkdir(snapshotsDir);
  assert.equal(await replica.write(3), 0);
  assert.equal(replica.failure(), undefined);
  assert.equal(fallbackWrites, 0);
  assert.equal((await (await FileSnapshotStore.open(snapshotsDir)).list()).length, 1);
  await replica.close();
});
