import assert from 'node:assert/strict';
import { it } from 'node:test';
import { openPool } from '../../src/runtime/mariadb/connect.ts';
import { migrate } from '../../src/runtime/mariadb/migrate.ts';
import { MariaDbReadModel } from '../../src/storage/mariadb/mariadb-read-model.ts';
import { MIGRATIONS } from '../../src/storage/mariadb/schema.ts';
import { dropDatabase, scratchDatabase } from '../support/mariadb.ts';

/**
 * A read model written before conditional orders (schema version 1) is brought up to date on open:
 * its orders gain a stop price and trailing delta of 0 and work from their creation, as SQLite's
 * step 4 does, so both adapters return the same rows for them.
 */
it('migrates a version 1 MariaDB read model: old orders work from their creation', async () => {
  const options = scratchDatabase('rmmig');
  try {
    const pool = await openPool(options);
    try {
      assert.equal(await migrate(pool, `read-model.${options.database}`, MIGRATIONS.slice(0, 1)), 1);
      await pool.query(
        `INSERT INTO orders (order_id, symbol, user_id, client_order_id, side, order_type, time_in_force,
          price, orig_qty, orig_quote_order_qty, executed_qty, cumulative_quote_qty, status, status_reason,
          stp_mode, created_seq, created_ts, updated_seq, updated_ts, version)
         VALUES (7, 'BTCUSDT', 1, 'old', 'BUY', 'LIMIT', 'GTC', 30000000000, 100000000, 0, 0, 0, 'NEW', '',
          'NONE', 5, 1700000000123, 5, 1700000000123, 1)`,
      );
    } finally {
      await pool.end();
    }
    const model = await MariaDbReadModel.open(options);
    try {
      const row = await model.order(1, 'BTCUSDT', { orderId: 7 });
      assert.deepEqual([row?.stopPrice, row?.trailingDelta, row?.workingTs], [0, 0, 1700000000123]);
    } finally {
      await model.close();
    }
  } finally {
    await dropDatabase(options);
  }
});
