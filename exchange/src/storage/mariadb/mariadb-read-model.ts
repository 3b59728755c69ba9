import type { Pool, PoolConnection } from 'mysql2/promise';
import type { OrderRef } from '../../domain/commands.ts';
import type { EngineEvent } from '../../domain/events.ts';
import {
  inTransaction,
  openExistingPool,
  openPool,
  type RetryOptions,
  withRetry,
} from '../../runtime/mariadb/connect.ts';
import type { MariaDbOptions } from '../../runtime/mariadb/mariadb-options.ts';
import { migrate } from '../../runtime/mariadb/migrate.ts';
import { ProjectionBatch } from '../projection-batch.ts';
import type {
  ApplyResult,
  CandleQuery,
  IssuedIds,
  OrderQuery,
  PostingQuery,
  ReadModelPort,
  TradeQuery,
  UserTradeQuery,
} from '../read-model-port.ts';
import type {
  AssetRow,
  Balance,
  BalanceRow,
  CandleRow,
  MarketRow,
  OrderRow,
  OrderStatusRow,
  PostingRow,
  ReadModelDump,
  TradeRow,
  UserTradeRow,
  WithdrawalRow,
} from '../read-model-rows.ts';
import type { SqlValue } from './bulk-insert.ts';
import { ledgerViolations } from './ledger-invariants.ts';
import { MariaDbReadQueries } from './read-queries.ts';
import { RowWriter } from './row-writer.ts';
import { COLUMNS, DATA_TABLES, MIGRATIONS } from './schema.ts';

/** Order ids per lookup of the orders a batch changes that an earlier batch accepted. */
const LOOKUP_CHUNKS = [256, 64, 16, 4, 1] as const;

export interface MariaDbReadModelOptions extends MariaDbOptions, RetryOptions {}

/**
 * The read model on MariaDB (the local stand-in for the cloud stack's Aurora MySQL trading
 * cluster). Each batch is one transaction that first locks and reads the stored position, so a
 * batch retried after a lost connection, or sent by a second writer, is skipped exactly as a replay
 * is. Rows are planned by ProjectionBatch; this adapter only stores and reads them.
 */
export class MariaDbReadModel implements ReadModelPort {
  readonly #pool: Pool;
  readonly #queries: MariaDbReadQueries;
  readonly #writer = new RowWriter();
  readonly #retry: RetryOptions;
  #closed: Promise<void> | undefined;

  static async open(options: MariaDbReadModelOptions): Promise<MariaDbReadModel> {
    const pool = await openPool(options, 'read model');
    try {
      await migrate(pool, `read-model.${options.database}`, MIGRATIONS);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new MariaDbReadModel(pool, options);
  }

  /**
   * Attaches to a read model that another process writes, or to a replica's copy of it: no
   * database is created and no migration runs, so nothing is written by opening it.
   */
  static attach(options: MariaDbReadModelOptions): MariaDbReadModel {
    return new MariaDbReadModel(openExistingPool(options, 'read model'), options);
  }

  private constructor(pool: Pool, retry: RetryOptions) {
    this.#pool = pool;
    this.#retry = {
      ...(retry.retryForMs !== undefined && { retryForMs: retry.retryForMs }),
      ...(retry.onRetry && { onRetry: retry.onRetry }),
    };
    this.#queries = new MariaDbReadQueries(pool, this.#retry);
  }

  async lastAppliedSeq(): Promise<number> {
    return withRetry(async () => {
      const [rows] = await this.#pool.execute(
        'SELECT last_seq AS lastSeq FROM projection_state WHERE id = 1',
      );
      return (rows as { lastSeq: number }[])[0]!.lastSeq;
    }, this.#retry);
  }

  async issuedIds(): Promise<IssuedIds> {
    return withRetry(async () => {
      const [orders] = await this.#pool.execute(
        'SELECT COALESCE(MAX(order_id), 0) AS maxOrderId FROM orders',
      );
      const [trades] = await this.#pool.execute(
        'SELECT symbol, MAX(trade_id) AS maxTradeId FROM trades GROUP BY symbol',
      );
      return {
        maxOrderId: Number((orders as { maxOrderId: number | string }[])[0]!.maxOrderId),
        maxTradeIds: Object.fromEntries(
          (trades as { symbol: string; maxTradeId: number | string }[]).map((t) => [
            t.symbol,
            Number(t.maxTradeId),
          ]),
        ),
      };
    }, this.#retry);
  }

  apply(events: readonly EngineEvent[], throughSeq?: number): Promise<ApplyResult> {
    return inTransaction(
      this.#pool,
      async (connection) => {
        const [state] = await connection.execute(
          'SELECT last_seq AS lastSeq FROM projection_state WHERE id = 1 FOR UPDATE',
        );
        const lastSeq = (state as { lastSeq: number }[])[0]!.lastSeq;
        const lastEventSeq = events.length === 0 ? lastSeq : events[events.length - 1]!.seq;
        const through = throughSeq ?? lastEventSeq;
        if (!Number.isSafeInteger(through) || through < lastEventSeq) {
          throw new RangeError(
            `throughSeq ${through} is invalid: it must be an integer >= the last event's seq`,
          );
        }
        if (through <= lastSeq) return { applied: 0, skipped: events.length, lastAppliedSeq: lastSeq };
        const batch = new ProjectionBatch(events, lastSeq);
        const rows = batch.rows(await this.#priorOrders(connection, batch.priorOrderIds));
        await this.#writer.write(connection, rows);
        await connection.execute('UPDATE projection_state SET last_seq = ? WHERE id = 1', [through]);
        return { applied: rows.applied, skipped: events.length - rows.applied, lastAppliedSeq: through };
      },
      this.#retry,
    );
  }

  async reset(): Promise<void> {
    await inTransaction(
      this.#pool,
      async (connection) => {
        await connection.execute('SELECT last_seq FROM projection_state WHERE id = 1 FOR UPDATE');
        for (const table of DATA_TABLES) await connection.query(`DELETE FROM ${table}`);
        await connection.execute('UPDATE projection_state SET last_seq = 0 WHERE id = 1');
      },
      this.#retry,
    );
  }

  close(): Promise<void> {
    this.#closed ??= this.#pool.end();
    return this.#closed;
  }

  assets(): Promise<readonly AssetRow[]> {
    return this.#queries.assets();
  }

  markets(): Promise<readonly MarketRow[]> {
    return this.#queries.markets();
  }

  order(userId: number, symbol: string, ref: OrderRef): Promise<OrderRow | undefined> {
    return this.#queries.order(userId, symbol, ref);
  }

  orders(query: OrderQuery): Promise<readonly OrderRow[]> {
    return this.#queries.orders(query);
  }

  openOrders(userId: number, symbol?: string): Promise<readonly OrderRow[]> {
    return this.#queries.openOrders(userId, symbol);
  }

  orderStatusHistory(orderId: number): Promise<readonly OrderStatusRow[]> {
    return this.#queries.orderStatusHistory(orderId);
  }

  trades(query: TradeQuery): Promise<readonly TradeRow[]> {
    return this.#queries.trades(query);
  }

  recentTrades(symbol: string, limit?: number): Promise<readonly TradeRow[]> {
    return this.#queries.recentTrades(symbol, limit);
  }

  userTrades(query: UserTradeQuery): Promise<readonly UserTradeRow[]> {
    return this.#queries.userTrades(query);
  }

  postings(query: PostingQuery): Promise<readonly PostingRow[]> {
    return this.#queries.postings(query);
  }

  balances(userId: number): Promise<readonly BalanceRow[]> {
    return this.#queries.balances(userId);
  }

  candles(query: CandleQuery): Promise<readonly CandleRow[]> {
    return this.#queries.candles(query);
  }

  withdrawals(userId: number): Promise<readonly WithdrawalRow[]> {
    return this.#queries.withdrawals(userId);
  }

  async balanceFromPostings(userId: number, asset: string): Promise<Balance> {
    const [rows] = await this.#pool.execute(
      `SELECT coalesce(sum(CASE WHEN account = 'available' THEN amount END), 0) AS available,
        coalesce(sum(CASE WHEN account = 'locked' THEN amount END), 0) AS locked
       FROM postings WHERE user_id = ? AND asset = ?`,
      [userId, asset],
    );
    const row = (rows as Balance[])[0]!;
    return { available: Number(row.available), locked: Number(row.locked) };
  }

  checkInvariants(): Promise<readonly string[]> {
    return ledgerViolations(this.#pool);
  }

  async dumpRows(): Promise<ReadModelDump> {
    // One consistent snapshot of every table.
    const connection = await this.#pool.getConnection();
    try {
      await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      const all = async <T>(sql: string): Promise<T[]> => (await connection.query(sql))[0] as T[];
      const [state] = await all<{ lastSeq: number }>(
        'SELECT last_seq AS lastSeq FROM projection_state WHERE id = 1',
      );
      const dump: ReadModelDump = {
        lastAppliedSeq: state!.lastSeq,
        assets: await all(`SELECT ${COLUMNS.assets} FROM assets ORDER BY asset`),
        markets: await all(`SELECT ${COLUMNS.markets} FROM markets ORDER BY symbol`),
        orders: await all(`SELECT ${COLUMNS.orders} FROM orders ORDER BY order_id`),
        orderStatus: await all(
          `SELECT ${COLUMNS.orderStatus} FROM order_status_history ORDER BY order_id, version`,
        ),
        trades: await all(`SELECT ${COLUMNS.trades} FROM trades ORDER BY trade_id`),
        postings: await all(`SELECT ${COLUMNS.postings} FROM postings ORDER BY seq, entry_no`),
        balances: await all(`SELECT ${COLUMNS.balances} FROM balances ORDER BY user_id, asset`),
        candles: await all(`SELECT ${COLUMNS.candles} FROM candles ORDER BY symbol, \`interval\`, open_time`),
        withdrawals: await all(`SELECT ${COLUMNS.withdrawals} FROM withdrawals ORDER BY withdrawal_id`),
      };
      await connection.query('COMMIT');
      return dump;
    } finally {
      connection.release();
    }
  }

  /** The stored rows of the orders a batch changes but did not accept, in a few lookups. */
  async #priorOrders(connection: PoolConnection, ids: readonly number[]): Promise<Map<number, OrderRow>> {
    const prior = new Map<number, OrderRow>();
    let at = 0;
    for (const size of LOOKUP_CHUNKS) {
      while (ids.length - at >= size) {
        const chunk: SqlValue[] = ids.slice(at, at + size) as number[];
        const [rows] = await connection.execute(
          `SELECT ${COLUMNS.orders} FROM orders WHERE order_id IN (${chunk.map(() => '?').join(', ')})`,
          chunk,
        );
        for (const row of rows as OrderRow[]) prior.set(row.orderId, row);
        at += size;
      }
    }
    return prior;
  }
}
