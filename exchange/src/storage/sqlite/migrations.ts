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
};
