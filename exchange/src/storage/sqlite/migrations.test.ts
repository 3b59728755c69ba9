import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { BTC_USDT, EventScript } from '../../../test/support/event-script.ts';
import { randomFlow } from '../../../test/support/random-flow.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { SqliteReadModel } from './sqlite-read-model.ts';

/** BTCUSDT and ETHUSDT trading in turns, over many minutes (so candles span many trades of each). */
function twoSymbolFlow(): EventScript {
  const ethUsdt = { ...BTC_USDT, symbol: 'ETHUSDT', base: 'ETH' };
  const script = new EventScript();
  script.addAsset('BTC', 8).addAsset('ETH', 8).addAsset('USDT', 6).listMarket(BTC_USDT).listMarket(ethUsdt);
  for (const user of [1, 2]) {
    script.deposit(user, 'BTC', 1_000 * 10 ** 8).deposit(user, 'ETH', 1_000 * 10 ** 8);
    script.deposit(user, 'USDT', 100_000_000 * 10 ** 6);
  }
  for (let i = 0; i < 120; i++) {
    script.advance(7_000);
    const symbol = i % 3 === 0 ? 'ETHUSDT' : 'BTCUSDT';
    const price = (3_000_000 + (i % 17)) * BTC_USDT.tickSize;
    const maker = script.limit(1, symbol, 'SELL', price, (1 + (i % 5)) * BTC_USDT.lotSize);
    script.limit(2, symbol, 'BUY', price, (1 + (i % 5)) * BTC_USDT.lotSize, { against: [maker] });
  }
  return script;
}

describe('read model migrations', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bourse-migrations-'));
    path = join(dir, 'read-model.db');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const version = () => {
    const db = new DatabaseSync(path);
    try {
      return db.prepare('SELECT schema_version AS v FROM projection_state').get()?.v;
    } finally {
      db.close();
    }
  };

  /**
   * Turns the trades table back into what versions 1 to 3 wrote: keyed by trade id alone (one count
   * across all symbols), with an index by symbol.
   */
  const tradesBeforeVersion4 = (db: DatabaseSync) => {
    db.exec(`CREATE TABLE trades_v3 (
        trade_id INTEGER PRIMARY KEY, symbol TEXT NOT NULL, price INTEGER NOT NULL, quantity INTEGER NOT NULL,
        quote_quantity INTEGER NOT NULL, taker_side TEXT NOT NULL, taker_order_id INTEGER NOT NULL,
        taker_user_id INTEGER NOT NULL, maker_order_id INTEGER NOT NULL, maker_user_id INTEGER NOT NULL,
        taker_fee INTEGER NOT NULL, maker_fee INTEGER NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL);
      INSERT INTO trades_v3 SELECT trade_id, symbol, price, quantity, quote_quantity, taker_side, taker_order_id,
        taker_user_id, maker_order_id, maker_user_id, taker_fee, maker_fee, seq, ts FROM trades;
      DROP TABLE trades;
      ALTER TABLE trades_v3 RENAME TO trades;
      CREATE INDEX trades_by_symbol ON trades (symbol, trade_id);
      CREATE INDEX trades_by_taker ON trades (taker_user_id, symbol, trade_id);
      CREATE INDEX trades_by_maker ON trades (maker_user_id, symbol, trade_id);`);
  };

  /** Takes the orders table back to what versions 1 to 4 wrote: no conditional order columns. */
  const ordersBeforeVersion5 = (db: DatabaseSync) => {
    db.exec(`ALTER TABLE orders DROP COLUMN stop_price;
      ALTER TABLE orders DROP COLUMN trailing_delta;
      ALTER TABLE orders DROP COLUMN working_ts;`);
  };

  /**
   * Turns the database at `path` back into what version 1 wrote: candles without taker-buy volumes,
   * and trades with a time index.
   */
  const downgradeToVersion1 = () => {
    const db = new DatabaseSync(path);
    tradesBeforeVersion4(db);
    ordersBeforeVersion5(db);
    db.exec(`ALTER TABLE candles DROP COLUMN taker_buy_quote_volume;
      ALTER TABLE candles DROP COLUMN taker_buy_volume;
      CREATE INDEX trades_by_symbol_ts ON trades (symbol, ts);
      UPDATE projection_state SET schema_version = 1;`);
    db.close();
  };

  const indexes = () => {
    const db = new DatabaseSync(path);
    try {
      return db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'trades' ORDER BY name")
        .all()
        .map((row) => row.name);
    } finally {
      db.close();
    }
  };

  it('creates a new database at the current version', async () => {
    const model = SqliteReadModel.open({ path });
    await model.close();
    assert.equal(version(), SCHEMA_VERSION);
  });

  it('opens a version 1 database, backfills the taker-buy volumes, drops the trade time index, and projects on', async () => {
    const script = randomFlow({ commands: 1_500, seed: 21, meanGapMs: 20_000 });
    const cut = script.events.findIndex((e, i) => i >= 2_000 && e.seq !== script.events[i - 1]!.seq);
    const model = SqliteReadModel.open({ path });
    await model.apply(script.events.slice(0, cut));
    const before = await model.dumpRows();
    await model.close();
    assert.ok(before.candles.some((c) => c.takerBuyVolume > 0 && c.takerBuyVolume < c.volume));
    downgradeToVersion1();

    assert.ok(indexes().includes('trades_by_symbol_ts'));
    const migrated = SqliteReadModel.open({ path });
    try {
      assert.equal(version(), SCHEMA_VERSION);
      assert.ok(!indexes().includes('trades_by_symbol_ts'), 'no trade insert pays for a time index');
      assert.deepEqual(await migrated.dumpRows(), before);
      await migrated.apply(script.events.slice(cut));
      const reference = SqliteReadModel.open({ path: ':memory:' });
      await reference.apply(script.events);
      assert.deepEqual(await migrated.dumpRows(), await reference.dumpRows());
      await reference.close();
    } finally {
      await migrated.close();
    }
  });

  it('opens a version 3 database whose trade ids ran across symbols, and renumbers them per symbol', async () => {
    const script = twoSymbolFlow();
    // What the build before version 4 projected: one trade count for all symbols, in trade order.
    let globalId = 0;
    const before = script.events.map((e) => (e.type === 'Trade' ? { ...e, tradeId: ++globalId } : e));
    const cut = before.findIndex((e, i) => i >= before.length / 2 && e.seq !== before[i - 1]!.seq);
    const old = SqliteReadModel.open({ path });
    await old.apply(before.slice(0, cut));
    await old.close();
    let db = new DatabaseSync(path);
    tradesBeforeVersion4(db);
    ordersBeforeVersion5(db);
    db.exec('UPDATE projection_state SET schema_version = 3');
    const oldIds = db
      .prepare("SELECT trade_id AS id FROM trades WHERE symbol = 'ETHUSDT' ORDER BY trade_id")
      .all();
    db.close();
    assert.notDeepEqual(
      oldIds.map((r) => r.id),
      oldIds.map((_, i) => i + 1),
      'the old ids of one symbol have gaps',
    );

    const migrated = SqliteReadModel.open({ path });
    try {
      assert.equal(version(), SCHEMA_VERSION);
      const reference = SqliteReadModel.open({ path: ':memory:' });
      await reference.apply(script.events.slice(0, cut));
      assert.deepEqual(await migrated.dumpRows(), await reference.dumpRows());
      for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
        const trades = await migrated.trades({ symbol, fromId: 1, limit: 1000 });
        assert.deepEqual(
          trades.map((t) => t.tradeId),
          trades.map((_, i) => i + 1),
        );
      }
      // Projection carries on from where it stood, with the engine's per-symbol ids.
      await migrated.apply(script.events.slice(cut));
      await reference.apply(script.events.slice(cut));
      assert.deepEqual(await migrated.dumpRows(), await reference.dumpRows());
      await reference.close();
    } finally {
      await migrated.close();
    }
    db = new DatabaseSync(path);
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT * FROM trades WHERE symbol = 'BTCUSDT' AND trade_id >= 5")
      .all();
    db.close();
    assert.match(JSON.stringify(plan), /PRIMARY KEY|USING INDEX/);
  });

  it('opens a version 4 database: its orders gain no stop price, no trailing delta, and work from placement', async () => {
    const script = randomFlow({ commands: 600, seed: 5, meanGapMs: 5_000 });
    const cut = script.events.findIndex((e, i) => i >= 800 && e.seq !== script.events[i - 1]!.seq);
    const old = SqliteReadModel.open({ path });
    await old.apply(script.events.slice(0, cut));
    await old.close();
    const db = new DatabaseSync(path);
    ordersBeforeVersion5(db);
    db.exec('UPDATE projection_state SET schema_version = 4');
    db.close();

    const migrated = SqliteReadModel.open({ path });
    try {
      assert.equal(version(), SCHEMA_VERSION);
      const reference = SqliteReadModel.open({ path: ':memory:' });
      await reference.apply(script.events.slice(0, cut));
      const rows = await migrated.dumpRows();
      assert.ok(rows.orders.length > 0);
      assert.ok(rows.orders.every((o) => o.workingTs === o.createdTs && o.stopPrice === 0));
      assert.deepEqual(rows, await reference.dumpRows());
      await migrated.apply(script.events.slice(cut));
      await reference.apply(script.events.slice(cut));
      assert.deepEqual(await migrated.dumpRows(), await reference.dumpRows());
      await reference.close();
    } finally {
      await migrated.close();
    }
  });

  it('fails if the database was written by a newer version, quoting both versions', async () => {
    await SqliteReadModel.open({ path }).close();
    const db = new DatabaseSync(path);
    db.exec(`UPDATE projection_state SET schema_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(
      () => SqliteReadModel.open({ path }),
      new RegExp(`version ${SCHEMA_VERSION + 1} is newer than this build's ${SCHEMA_VERSION}`),
    );
  });
});
