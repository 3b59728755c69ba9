import type { DatabaseSync } from 'node:sqlite';
import { SCHEMA_VERSION } from './schema.ts';

/**
 * Brings a database written by an older build up to `SCHEMA_VERSION`, one step per version, each in
 * its own transaction with the version it reaches. `SCHEMA` has already created what was missing
 * (a new database is created at the current version, so it has nothing to migrate).
 */
export function migrate(db: DatabaseSync): void {
  for (;;) {
    db.exec('BEGIN IMMEDIATE');
    try {
      // Read inside the transaction: another connection to the same file may have migrated it.
      const version = db.prepare('SELECT schema_version AS v FROM projection_state WHERE id = 1').get()
        ?.v as number;
      if (version > SCHEMA_VERSION) {
        throw new Error(
          `read model schema version ${version} is newer than this build's ${SCHEMA_VERSION}: ` +
            'run a newer build, or delete the read model to rebuild it from the log',
        );
      }
      if (version === SCHEMA_VERSION) {
        db.exec('COMMIT');
        return;
      }
      const step = STEPS[version];
      if (step === undefined) throw new Error(`read model schema version ${version} has no migration`);
      db.exec(step);
      db.prepare('UPDATE projection_state SET schema_version = ? WHERE id = 1').run(version + 1);
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }
}

/** The SQL that takes version `n` to `n + 1`, by n. */
const STEPS: Readonly<Record<number, string>> = {
  // Candles gain Binance's taker-buy volumes, backfilled from the trades: a candle's trades are its
  // symbol's trades in its time bucket, all within its trade-id range (which keeps to the index).
  1: `
    ALTER TABLE candles ADD COLUMN taker_buy_volume INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE candles ADD COLUMN taker_buy_quote_volume INTEGER NOT NULL DEFAULT 0;
    UPDATE candles SET (taker_buy_volume, taker_buy_quote_volume) = (
      SELECT coalesce(sum(t.quantity), 0), coalesce(sum(t.quote_quantity), 0) FROM trades t
      WHERE t.symbol = candles.symbol AND t.trade_id BETWEEN candles.first_trade_id AND candles.last_trade_id
        AND t.ts BETWEEN candles.open_time AND candles.close_time AND t.taker_side = 'BUY'
    );
  `,
  // The 24-hour statistics are restored through the 1m candles now: trades need no time index, and
  // every trade insert stops paying for one.
  2: 'DROP INDEX IF EXISTS trades_by_symbol_ts;',
  // Trade ids run per symbol, as on Binance: each symbol's trades are renumbered 1, 2, 3... in the
  // order of their old ids (the order they happened, which is the order the engine now numbers them
  // in), and the candles' first and last trade ids follow. The table is keyed by (symbol, trade_id).
  3: `
    CREATE TEMP TABLE trade_renumbering (old_id INTEGER PRIMARY KEY, new_id INTEGER NOT NULL);
    INSERT INTO trade_renumbering (old_id, new_id)
      SELECT trade_id, row_number() OVER (PARTITION BY symbol ORDER BY trade_id) FROM trades;
    CREATE TABLE trades_per_symbol (
      trade_id INTEGER NOT NULL,
      symbol TEXT NOT NULL,
      price INTEGER NOT NULL,
      quantity INTEGER NOT NULL,
      quote_quantity INTEGER NOT NULL,
      taker_side TEXT NOT NULL,
      taker_order_id INTEGER NOT NULL,
      taker_user_id INTEGER NOT NULL,
      maker_order_id INTEGER NOT NULL,
      maker_user_id INTEGER NOT NULL,
      taker_fee INTEGER NOT NULL,
      maker_fee INTEGER NOT NULL,
      seq INTEGER NOT NULL,
      ts INTEGER NOT NULL,
      PRIMARY KEY (symbol, trade_id)
    ) WITHOUT ROWID;
    INSERT INTO trades_per_symbol
      SELECT r.new_id, t.symbol, t.price, t.quantity, t.quote_quantity, t.taker_side, t.taker_order_id,
        t.taker_user_id, t.maker_order_id, t.maker_user_id, t.taker_fee, t.maker_fee, t.seq, t.ts
      FROM trades t JOIN trade_renumbering r ON r.old_id = t.trade_id;
    UPDATE candles SET
      first_trade_id = (SELECT new_id FROM trade_renumbering WHERE old_id = candles.first_trade_id),
      last_trade_id = (SELECT new_id FROM trade_renumbering WHERE old_id = candles.last_trade_id);
    DROP TABLE trades;
    ALTER TABLE trades_per_symbol RENAME TO trades;
    CREATE INDEX trades_by_taker ON trades (taker_user_id, symbol, trade_id);
    CREATE INDEX trades_by_maker ON trades (maker_user_id, symbol, trade_id);
    DROP TABLE trade_renumbering;
  `,
  // Conditional orders: a stop price, a trailing delta and the time an order began working (-1 while
  // a stop waits). Every order before this build was a LIMIT, LIMIT_MAKER or MARKET order, working
  // from its placement.
  4: `
    ALTER TABLE orders ADD COLUMN stop_price INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE orders ADD COLUMN trailing_delta INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE orders ADD COLUMN working_ts INTEGER NOT NULL DEFAULT -1;
    UPDATE orders SET working_ts = created_ts;
  `,
};
