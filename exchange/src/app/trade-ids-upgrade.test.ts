import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, it } from 'node:test';
import { BTCUSDT, btc, limit, usdt } from '../../test/support/engine-driver.ts';
import type { UnstampedCommand } from '../domain/commands.ts';
import { type EngineSnapshot, SNAPSHOT_FORMAT_VERSION } from '../engine/snapshot.ts';
import { FileJournal } from '../journal/file/file-journal.ts';
import { FileSnapshotStore } from '../journal/snapshots/file/file-snapshot-store.ts';
import { decodeSnapshot } from '../journal/snapshots/snapshot-format.ts';
import { EmbeddedExchange } from './embedded-exchange.ts';

let dir = '';
afterEach(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

const OPTIONS = { segmentBytes: 4096, snapshotsOffThread: true } as const;

async function must(exchange: EmbeddedExchange, command: UnstampedCommand): Promise<void> {
  const result = await exchange.submit(command);
  const rejected = result.events.find((e) => e.type === 'Rejected');
  if (rejected !== undefined) throw new Error(`${command.type} rejected: ${JSON.stringify(rejected)}`);
}

/** Two markets, trading in turns: sweeps of three fills (two aggregates) each. */
async function trade(exchange: EmbeddedExchange, rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    const symbol = round % 3 === 0 ? 'ETHUSDT' : 'BTCUSDT';
    const price = usdt(100 + (round % 4));
    await must(exchange, { ...limit(1, 'SELL', price, btc(1)), symbol });
    await must(exchange, { ...limit(1, 'SELL', price, btc(1)), symbol });
    await must(exchange, { ...limit(1, 'SELL', price + usdt(1), btc(1)), symbol });
    await must(exchange, { ...limit(2, 'BUY', price + usdt(1), btc(3)), symbol });
  }
}

/**
 * Turns the data folder into what the build before per-market trade ids left: format-1 snapshots
 * (one trade count across all markets), a read model at schema 3 whose trade ids ran across all
 * symbols, and a journal pruned up to the newest snapshot.
 */
async function asTheOldBuildLeftIt(dataDir: string): Promise<void> {
  const store = await FileSnapshotStore.open(join(dataDir, 'snapshots'));
  const entries = await store.list();
  for (const entry of entries) {
    const decoded = decodeSnapshot(await readFile(entry.file));
    if ('reason' in decoded) throw new Error(decoded.reason);
    const state = JSON.parse(Buffer.from(decoded.body).toString('utf8')) as EngineSnapshot;
    const { markets, ...rest } = state;
    const trades = markets.reduce((sum, m) => sum + m.nextTradeId - 1, 0);
    const old = {
      ...rest,
      version: 1,
      nextTradeId: trades + 1,
      markets: markets.map(({ nextTradeId: _t, nextAggTradeId: _a, averagePrice: _p, ...m }) => m),
    };
    await store.write(entry.seq, decoded.ts, JSON.stringify(old));
  }
  const db = new DatabaseSync(join(dataDir, 'read-model.sqlite'));
  db.exec(`
    CREATE TEMP TABLE global_ids AS SELECT symbol, trade_id AS new_id,
      row_number() OVER (ORDER BY seq, trade_id) AS old_id FROM trades;
    CREATE TABLE trades_v3 (
      trade_id INTEGER PRIMARY KEY, symbol TEXT NOT NULL, price INTEGER NOT NULL, quantity INTEGER NOT NULL,
      quote_quantity INTEGER NOT NULL, taker_side TEXT NOT NULL, taker_order_id INTEGER NOT NULL,
      taker_user_id INTEGER NOT NULL, maker_order_id INTEGER NOT NULL, maker_user_id INTEGER NOT NULL,
      taker_fee INTEGER NOT NULL, maker_fee INTEGER NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL);
    INSERT INTO trades_v3 SELECT g.old_id, t.symbol, t.price, t.quantity, t.quote_quantity, t.taker_side,
      t.taker_order_id, t.taker_user_id, t.maker_order_id, t.maker_user_id, t.taker_fee, t.maker_fee, t.seq, t.ts
      FROM trades t JOIN global_ids g ON g.symbol = t.symbol AND g.new_id = t.trade_id;
    UPDATE candles SET
      first_trade_id = (SELECT old_id FROM global_ids g WHERE g.symbol = candles.symbol AND g.new_id = candles.first_trade_id),
      last_trade_id = (SELECT old_id FROM global_ids g WHERE g.symbol = candles.symbol AND g.new_id = candles.last_trade_id);
    DROP TABLE trades;
    ALTER TABLE trades_v3 RENAME TO trades;
    CREATE INDEX trades_by_symbol ON trades (symbol, trade_id);
    CREATE INDEX trades_by_taker ON trades (taker_user_id, symbol, trade_id);
    CREATE INDEX trades_by_maker ON trades (maker_user_id, symbol, trade_id);
    ALTER TABLE orders DROP COLUMN stop_price;
    ALTER TABLE orders DROP COLUMN trailing_delta;
    ALTER TABLE orders DROP COLUMN working_ts;
    UPDATE projection_state SET schema_version = 3;`);
  db.close();
  const journal = await FileJournal.open({ dir: join(dataDir, 'journal') });
  await journal.prune(entries[0]!.seq);
  assert.ok(journal.firstSeq() > 1, 'the log no longer reaches back to its start');
  await journal.close();
}

describe('a data folder from the build before per-market trade ids', () => {
  it('starts: the read model is renumbered, the format-1 snapshot upgraded from it, and ids go on per market', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bourse-upgrade-'));
    const first = await EmbeddedExchange.open({ dataDir: dir, ...OPTIONS });
    for (const command of [
      { type: 'AddAsset', asset: 'BTC', decimals: 8 },
      { type: 'AddAsset', asset: 'ETH', decimals: 8 },
      { type: 'AddAsset', asset: 'USDT', decimals: 6 },
      { type: 'ListMarket', ...BTCUSDT },
      { type: 'ListMarket', ...BTCUSDT, symbol: 'ETHUSDT', base: 'ETH' },
      ...[1, 2].flatMap((userId) => [
        { type: 'Deposit', userId, asset: 'USDT', amount: usdt(10_000_000) },
        { type: 'Deposit', userId, asset: 'BTC', amount: btc(100) },
        { type: 'Deposit', userId, asset: 'ETH', amount: btc(100) },
      ]),
    ] as UnstampedCommand[]) {
      await must(first, command);
    }
    await trade(first, 30);
    const hash = first.engine.stateHash();
    const trades = { BTCUSDT: first.engine.markets.get('BTCUSDT')!.nextTradeId - 1 };
    await first.close();
    await asTheOldBuildLeftIt(dir);

    const replicaFailures: Error[] = [];
    const upgraded = await EmbeddedExchange.open({
      dataDir: dir,
      ...OPTIONS,
      onSnapshotReplicaFailure: (error) => replicaFailures.push(error),
    });
    try {
      assert.ok(upgraded.recovery.upgradedFrom !== undefined, 'the format-1 snapshot was upgraded');
      assert.equal(upgraded.engine.stateHash(), hash, 'the state is what per-market numbering gives');
      const newest = await upgraded.snapshots.latestValid();
      assert.equal(newest.snapshot?.seq, upgraded.engine.lastSeq);
      assert.equal(
        JSON.parse(Buffer.from(newest.snapshot!.body).toString('utf8')).version,
        SNAPSHOT_FORMAT_VERSION,
      );
      await upgraded.projector.flush();
      const rows = await upgraded.readModel.trades({ symbol: 'BTCUSDT', fromId: 1, limit: 1000 });
      assert.deepEqual(
        rows.map((t) => t.tradeId),
        rows.map((_, i) => i + 1),
      );
      assert.equal(rows.length, trades.BTCUSDT);
      const result = await upgraded.submit({ ...limit(2, 'SELL', usdt(90), btc(1)) });
      assert.equal(result.events.filter((e) => e.type === 'OrderAccepted').length, 1);
      const taken = await upgraded.submit({ ...limit(1, 'BUY', usdt(90), btc(1)) });
      const next = taken.events.find((e) => e.type === 'Trade');
      assert.equal(next?.type === 'Trade' && next.tradeId, trades.BTCUSDT + 1);
    } finally {
      await upgraded.close();
    }
    assert.deepEqual(replicaFailures, [], 'the snapshot replica started from the upgraded snapshot');
  });
});
