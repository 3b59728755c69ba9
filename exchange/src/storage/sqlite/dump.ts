import type { DatabaseSync } from 'node:sqlite';
import type { ReadModelDump } from '../read-model-rows.ts';
import { COLUMNS } from './schema.ts';

/** Each table's rows by primary key: the canonical order every adapter's dump uses. */
export function dumpRows(db: DatabaseSync): ReadModelDump {
  const all = <T>(sql: string): T[] =>
    db
      .prepare(sql)
      .all()
      .map((r) => ({ ...r }) as unknown as T);
  const state = db.prepare('SELECT last_seq AS lastSeq FROM projection_state WHERE id = 1').get();
  return {
    lastAppliedSeq: state?.lastSeq as number,
    assets: all(`SELECT ${COLUMNS.assets} FROM assets ORDER BY asset`),
    markets: all(`SELECT ${COLUMNS.markets} FROM markets ORDER BY symbol`),
    orders: all(`SELECT ${COLUMNS.orders} FROM orders ORDER BY order_id`),
    orderStatus: all(`SELECT ${COLUMNS.orderStatus} FROM order_status_history ORDER BY order_id, version`),
    trades: all(`SELECT ${COLUMNS.trades} FROM trades ORDER BY symbol, trade_id`),
    postings: all(`SELECT ${COLUMNS.postings} FROM postings ORDER BY seq, entry_no`),
    balances: all(`SELECT ${COLUMNS.balances} FROM balances ORDER BY user_id, asset`),
    candles: all(`SELECT ${COLUMNS.candles} FROM candles ORDER BY symbol, interval, open_time`),
    withdrawals: all(`SELECT ${COLUMNS.withdrawals} FROM withdrawals ORDER BY withdrawal_id`),
  };
}
