import assert from 'node:assert/strict';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { BTCUSDT, btc, EngineDriver, limit, usdt } from '../../test/support/engine-driver.ts';
import type { TradeRecord } from '../engine/snapshot-upgrade.ts';
import { FileJournal } from '../journal/file/file-journal.ts';
import { FileSnapshotStore } from '../journal/snapshots/file/file-snapshot-store.ts';
import { encodeCommand } from './command-codec.ts';
import { RecoveryError, recoverEngine } from './recover.ts';
import { inThreadSnapshots } from './snapshot-source.ts';
import { Snapshotter } from './snapshotter.ts';

let dir = '';
afterEach(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

/** A journal of 60 commands with snapshots after commands 20 and 40; returns the final state hash. */
async function history(): Promise<{
  journal: FileJournal;
  store: FileSnapshotStore;
  hash: string;
  driver: EngineDriver;
}> {
  dir = await mkdtemp(join(tmpdir(), 'bourse-recover-'));
  const journal = await FileJournal.open({ dir: join(dir, 'journal'), segmentBytes: 4096 });
  const store = await FileSnapshotStore.open(join(dir, 'snapshots'));
  const driver = EngineDriver.withMarket();
  const snapshotter = new Snapshotter(store, journal, {
    source: inThreadSnapshots(driver.engine, store),
    everyCommands: 1e9,
    consumedSeq: () => driver.engine.lastSeq,
    clock: () => 0,
    prune: false,
  });
  for (let i = 0; driver.seq < 60; i++) {
    if (driver.seq === 20 || driver.seq === 40) await snapshotter.take();
    driver.deposit(1 + (i % 5), i % 2 === 0 ? 'BTC' : 'USDT', 1_000 + i);
  }
  for (const command of driver.log) {
    const { seq, ts, ...body } = command;
    await journal.appendOne({ seq, ts, payload: encodeCommand(body) });
  }
  return { journal, store, hash: driver.engine.stateHash(), driver };
}

/** What a build before per-market trade ids wrote: format 1, one trade count for all markets. */
function formatOneSnapshot(seq: number): string {
  const state = EngineDriver.withMarket().engine.snapshot();
  const markets = state.markets.map(({ nextTradeId: _t, nextAggTradeId: _a, averagePrice: _p, ...m }) => m);
  return JSON.stringify({ ...state, version: 1, lastSeq: seq, nextTradeId: 1, markets });
}

async function flipByte(file: string, offsetFromEnd: number): Promise<void> {
  const handle = await open(file, 'r+');
  const { size } = await handle.stat();
  const buffer = Buffer.alloc(1);
  await handle.read(buffer, 0, 1, size - offsetFromEnd);
  buffer[0] = buffer[0]! ^ 0xff;
  await handle.write(buffer, 0, 1, size - offsetFromEnd);
  await handle.close();
}

describe('recoverEngine', () => {
  it('starts from the newest snapshot and replays the rest to the same state', async () => {
    const { journal, store, hash } = await history();
    const recovery = await recoverEngine(journal, store);
    assert.equal(recovery.snapshotSeq, 40);
    assert.equal(recovery.replayedCommands, 20);
    assert.equal(recovery.engine.stateHash(), hash);
    await journal.close();
  });

  it('falls back to an older snapshot when the newest is damaged, and says which file and where', async () => {
    const { journal, store, hash } = await history();
    const [newest] = await store.list();
    await flipByte(newest!.file, 10);
    const recovery = await recoverEngine(journal, store);
    assert.equal(recovery.snapshotSeq, 20);
    assert.equal(recovery.problems.length, 1);
    assert.equal(recovery.problems[0]?.file, newest!.file);
    assert.ok(recovery.problems[0]!.offset > 0);
    assert.equal(recovery.engine.stateHash(), hash);
    await journal.close();
  });

  it('replays the whole log when no snapshot is usable', async () => {
    const { journal, store, hash } = await history();
    for (const entry of await store.list()) await flipByte(entry.file, 3);
    const recovery = await recoverEngine(journal, store);
    assert.equal(recovery.snapshotSeq, 0);
    assert.equal(recovery.problems.length, 2);
    assert.equal(recovery.engine.stateHash(), hash);
    await journal.close();
  });

  it('uses no snapshot newer than a projection has consumed', async () => {
    const { journal, store, hash } = await history();
    const events: number[] = [];
    const recovery = await recoverEngine(journal, store, {
      notAfterSeq: 30,
      onReplayed: (_e, c) => events.push(c.seq),
    });
    assert.equal(recovery.snapshotSeq, 20);
    assert.equal(events[0], 21);
    assert.equal(recovery.engine.stateHash(), hash);
    await journal.close();
  });

  it('hands over events only after the position its subscribers hold, and the state is the same', async () => {
    const { journal, store, hash, driver } = await history();
    const handed: number[] = [];
    const recovery = await recoverEngine(journal, store, {
      notAfterSeq: 30,
      eventsAfterSeq: 30,
      onReplayed: (events, command) => {
        handed.push(command.seq);
        assert.deepEqual(
          events,
          driver.events.filter((e) => e.seq === command.seq),
        );
      },
    });
    assert.equal(recovery.snapshotSeq, 20);
    assert.deepEqual(
      handed,
      Array.from({ length: 30 }, (_, i) => 31 + i),
    );
    assert.equal(recovery.engine.stateHash(), hash);
    await journal.close();
  });

  it('passes over a snapshot of an older format, saying why, and replays the log instead', async () => {
    const { journal, store, hash } = await history();
    const [newest] = await store.list();
    await store.write(newest!.seq, 0, formatOneSnapshot(newest!.seq));
    const recovery = await recoverEngine(journal, store);
    assert.equal(recovery.snapshotSeq, 20);
    assert.equal(recovery.problems[0]?.file, newest!.file);
    assert.match(recovery.problems[0]!.reason, /format version 1 is not supported/);
    assert.equal(recovery.engine.stateHash(), hash);
    await journal.close();
  });

  it('names the old snapshot it passed over when the log no longer reaches back past it', async () => {
    const { journal, store } = await history();
    await journal.prune(59);
    for (const entry of await store.list()) await store.write(entry.seq, 0, formatOneSnapshot(entry.seq));
    assert.ok(journal.firstSeq() > 1, 'the 4 KiB segments should have let the journal prune');
    await assert.rejects(
      recoverEngine(journal, store),
      (error: unknown) =>
        error instanceof RecoveryError &&
        /pruned without a snapshot covering them; passed over .*snapshot-0+40\.snap: snapshot format version 1/.test(
          error.message,
        ),
    );
    await journal.close();
  });

  it('refuses to start when the log was pruned past every usable snapshot', async () => {
    const { journal, store } = await history();
    await journal.prune(59);
    for (const entry of await store.list()) await flipByte(entry.file, 3);
    if (journal.firstSeq() > 1) await assert.rejects(recoverEngine(journal, store), RecoveryError);
    else assert.fail('the 4 KiB segments should have let the journal prune');
    await journal.close();
  });
});

/**
 * A journal of trading on BTCUSDT and ETHUSDT (sweeps that make several fills and aggregates, at
 * several minutes), with a snapshot after command `snapshotAt`, rewritten as the build before
 * per-market trade ids wrote it: format 1.
 */
async function tradingHistory(snapshotAt: number): Promise<{
  journal: FileJournal;
  store: FileSnapshotStore;
  driver: EngineDriver;
  trades: TradeRecord[];
}> {
  dir = await mkdtemp(join(tmpdir(), 'bourse-upgrade-'));
  const journal = await FileJournal.open({ dir: join(dir, 'journal'), segmentBytes: 4096 });
  const store = await FileSnapshotStore.open(join(dir, 'snapshots'));
  const driver = EngineDriver.withMarket();
  driver.send({ type: 'AddAsset', asset: 'ETH', decimals: 8 });
  driver.send({ type: 'ListMarket', ...BTCUSDT, symbol: 'ETHUSDT', base: 'ETH' });
  for (const user of [1, 2]) {
    driver.deposit(user, 'USDT', usdt(10_000_000));
    driver.deposit(user, 'BTC', btc(100));
    driver.deposit(user, 'ETH', btc(1_000));
  }
  for (let round = 0; driver.seq < snapshotAt + 40; round++) {
    const symbol = round % 3 === 0 ? 'ETHUSDT' : 'BTCUSDT';
    driver.ts += 50_000;
    driver.send({ ...limit(1, 'SELL', usdt(100 + (round % 4)), btc(1)), symbol });
    driver.send({ ...limit(1, 'SELL', usdt(100 + (round % 4)), btc(1)), symbol });
    driver.send({ ...limit(1, 'SELL', usdt(101 + (round % 4)), btc(1)), symbol });
    driver.send({ ...limit(2, 'BUY', usdt(101 + (round % 4)), btc(3)), symbol });
    if (driver.seq >= snapshotAt && (await store.list()).length === 0) {
      const { markets, ...state } = driver.engine.snapshot();
      const trades = driver.events.filter((e) => e.type === 'Trade').length;
      const old = {
        ...state,
        version: 1,
        nextTradeId: trades + 1,
        markets: markets.map(({ nextTradeId: _t, nextAggTradeId: _a, averagePrice: _p, ...m }) => m),
      };
      await store.write(driver.seq, 0, JSON.stringify(old));
    }
  }
  for (const command of driver.log) {
    const { seq, ts, ...body } = command;
    await journal.appendOne({ seq, ts, payload: encodeCommand(body) });
  }
  const trades = driver.events.flatMap((e) => (e.type === 'Trade' ? [e] : []));
  return { journal, store, driver, trades };
}

const pagesOf = (trades: readonly TradeRecord[]) =>
  async function* (seq: number) {
    yield trades.filter((t) => t.seq <= seq);
  };

describe('recoverEngine with a format 1 snapshot and the trades', () => {
  it('upgrades it from the trades up to it: the state is what numbering per market from the start gives', async () => {
    const { journal, store, driver, trades } = await tradingHistory(60);
    const [snapshot] = await store.list();
    await journal.prune(snapshot!.seq + 1);
    assert.ok(journal.firstSeq() > 1, 'the log no longer reaches back to the start');
    const recovery = await recoverEngine(journal, store, { tradesThrough: pagesOf(trades) });
    assert.equal(recovery.upgradedFrom, snapshot!.file);
    assert.equal(recovery.snapshotSeq, snapshot!.seq);
    assert.deepEqual(recovery.problems, []);
    assert.equal(recovery.engine.stateHash(), driver.engine.stateHash());
    await journal.close();
  });

  it('passes it over, saying why, when the trades do not add up to its count', async () => {
    const { journal, store, driver, trades } = await tradingHistory(60);
    const recovery = await recoverEngine(journal, store, { tradesThrough: pagesOf(trades.slice(1)) });
    assert.equal(recovery.upgradedFrom, undefined);
    assert.match(recovery.problems[0]!.reason, /number \d+, the snapshot counted \d+/);
    assert.equal(recovery.snapshotSeq, 0);
    assert.equal(recovery.engine.stateHash(), driver.engine.stateHash());
    await journal.close();
  });
});

describe('Snapshotter pruning', () => {
  it('keeps the two newest snapshots the projections have passed, and the log after the older one', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bourse-prune-'));
    const journal = await FileJournal.open({ dir: join(dir, 'journal'), segmentBytes: 4096 });
    const store = await FileSnapshotStore.open(join(dir, 'snapshots'));
    const driver = EngineDriver.withMarket();
    let consumed = 0;
    const snapshotter = new Snapshotter(store, journal, {
      source: inThreadSnapshots(driver.engine, store),
      everyCommands: 50,
      consumedSeq: () => consumed,
      clock: () => 0,
    });
    for (let i = 0; driver.seq < 400; i++) {
      const before = driver.seq;
      driver.deposit(1 + (i % 7), 'BTC', 10_000 + i);
      for (const command of driver.log.slice(before)) {
        const { seq, ts, ...body } = command;
        await journal.appendOne({ seq, ts, payload: encodeCommand(body) });
      }
      consumed = driver.seq - 120;
      snapshotter.afterCommand();
      await snapshotter.flush();
    }
    driver.deposit(1, 'BTC', 1);
    const { seq, ts, ...body } = driver.log.at(-1)!;
    await journal.appendOne({ seq, ts, payload: encodeCommand(body) });
    await snapshotter.take();
    const kept = (await store.list()).map((e) => e.seq);
    assert.ok(kept.length >= 2, `kept ${kept.join(',')}`);
    const eligible = kept.filter((seq) => seq <= consumed);
    assert.equal(
      eligible.length,
      2,
      `two snapshots at or below the projection (${consumed}): ${kept.join(',')}`,
    );
    assert.ok(journal.firstSeq() <= eligible[1]! + 1, 'the log still covers the older kept snapshot');
    assert.ok(journal.firstSeq() > 1, 'something was pruned');
    const recovery = await recoverEngine(journal, store, { notAfterSeq: consumed });
    assert.equal(recovery.engine.stateHash(), driver.engine.stateHash());
    await journal.close();
  });
});

describe('recoverEngine throughSeq', () => {
  it('stops at the given seq, from the newest snapshot not past it', async () => {
    const { journal, store } = await history();
    const at50 = await recoverEngine(journal, store, { throughSeq: 50 });
    assert.equal(at50.snapshotSeq, 40);
    assert.equal(at50.engine.lastSeq, 50);
    const at30 = await recoverEngine(journal, store, { throughSeq: 30 });
    assert.equal(at30.snapshotSeq, 20);
    assert.equal(at30.engine.lastSeq, 30);
    await journal.close();
  });

  it('fails when the log ends before the given seq', async () => {
    const { journal, store } = await history();
    await assert.rejects(recoverEngine(journal, store, { throughSeq: 61 }), RecoveryError);
    await journal.close();
  });
});
