import type { Pool } from 'mysql2/promise';
import type { OrderRef } from '../../domain/commands.ts';
import { type RetryOptions, withRetry } from '../../runtime/mariadb/connect.ts';
import {
  type CandleQuery,
  type OrderQuery,
  type PostingQuery,
  pageLimit,
  type ReadModelQueries,
  type TradeQuery,
  type UserTradeQuery,
} from '../read-model-port.ts';
import type {
  AssetRow,
  BalanceRow,
  CandleRow,
  MarketRow,
  OrderRow,
  OrderStatusRow,
  PostingRow,
  TradeRow,
  UserTradeRow,
  WithdrawalRow,
} from '../read-model-rows.ts';
import type { SqlValue } from './bulk-insert.ts';
import { COLUMNS } from './schema.ts';

/** Bounds that stand for "no bound" on ids and times. */
const MIN = Number.MIN_SAFE_INTEGER;
const MAX = Number.MAX_SAFE_INTEGER;

const ORDERS = `SELECT ${COLUMNS.orders} FROM orders`;
const ORDERS_WHERE = `WHERE user_id = ? AND symbol = ? AND order_id >= ? AND created_ts BETWEEN ? AND ?`;
const OPEN = 'is_open = 1';

/**
 * One side of a user's trades. Each side is limited on its own before the union is sorted and
 * limited again: the page is within the union of both sides' pages, and each side keeps to its index.
 */
const userTradeSide = (role: 'taker' | 'maker', order: 'ASC' | 'DESC') => {
  const buyerSide = role === 'taker' ? 'BUY' : 'SELL';
  return `(SELECT t.trade_id AS tradeId, t.symbol, t.${role}_order_id AS orderId, t.${role}_user_id AS userId,
      t.price, t.quantity, t.quote_quantity AS quoteQuantity, t.${role}_fee AS commission,
      CASE WHEN t.taker_side = '${buyerSide}' THEN m.base ELSE m.quote END AS commissionAsset,
      t.taker_side = '${buyerSide}' AS isBuyer, ${role === 'maker' ? 1 : 0} AS isMaker, t.seq, t.ts
    FROM trades t JOIN markets m ON m.symbol = t.symbol
    WHERE t.${role}_user_id = ? AND t.symbol = ? AND t.trade_id >= ? AND t.ts BETWEEN ? AND ?
      AND (? IS NULL OR t.${role}_order_id = ?)
    ORDER BY t.trade_id ${order} LIMIT ?)`;
};
const USER_TRADES_FROM = `${userTradeSide('taker', 'ASC')} UNION ALL ${userTradeSide('maker', 'ASC')}
  ORDER BY tradeId, isMaker LIMIT ?`;
const USER_TRADES_NEWEST = `${userTradeSide('taker', 'DESC')} UNION ALL ${userTradeSide('maker', 'DESC')}
  ORDER BY tradeId DESC, isMaker DESC LIMIT ?`;

/**
 * The read side's queries as prepared statements (mysql2 prepares each text once per connection).
 * Listing queries follow Binance: given a starting id or time they page forward from it; given
 * neither, they return the newest page, oldest first.
 */
export class MariaDbReadQueries implements ReadModelQueries {
  readonly #pool: Pool;
  readonly #retry: RetryOptions;

  constructor(pool: Pool, retry: RetryOptions = {}) {
    this.#pool = pool;
    this.#retry = retry;
  }

  async assets(): Promise<readonly AssetRow[]> {
    return this.#rows(`SELECT ${COLUMNS.assets} FROM assets ORDER BY asset`, []);
  }

  async markets(): Promise<readonly MarketRow[]> {
    return this.#rows(`SELECT ${COLUMNS.markets} FROM markets ORDER BY symbol`, []);
  }

  async order(userId: number, symbol: string, ref: OrderRef): Promise<OrderRow | undefined> {
    const rows =
      ref.orderId !== undefined
        ? await this.#rows<OrderRow>(`${ORDERS} WHERE order_id = ? AND user_id = ? AND symbol = ?`, [
            ref.orderId,
            userId,
            symbol,
          ])
        : ref.clientOrderId !== undefined
          ? await this.#rows<OrderRow>(
              `${ORDERS} WHERE user_id = ? AND symbol = ? AND client_order_id = ? ORDER BY order_id DESC LIMIT 1`,
              [userId, symbol, ref.clientOrderId],
            )
          : fail('an order reference needs an orderId or a clientOrderId');
    return rows[0];
  }

  async orders(q: OrderQuery): Promise<readonly OrderRow[]> {
    const params = [
      q.userId,
      q.symbol,
      q.fromOrderId ?? MIN,
      q.startTime ?? MIN,
      q.endTime ?? MAX,
      pageLimit(q.limit),
    ];
    return q.fromOrderId === undefined && q.startTime === undefined
      ? (
          await this.#rows<OrderRow>(`${ORDERS} ${ORDERS_WHERE} ORDER BY order_id DESC LIMIT ?`, params)
        ).reverse()
      : this.#rows(`${ORDERS} ${ORDERS_WHERE} ORDER BY order_id LIMIT ?`, params);
  }

  async openOrders(userId: number, symbol?: string): Promise<readonly OrderRow[]> {
    return symbol === undefined
      ? this.#rows(`${ORDERS} WHERE user_id = ? AND ${OPEN} ORDER BY order_id`, [userId])
      : this.#rows(`${ORDERS} WHERE user_id = ? AND ${OPEN} AND symbol = ? ORDER BY order_id`, [
          userId,
          symbol,
        ]);
  }

  async orderStatusHistory(orderId: number): Promise<readonly OrderStatusRow[]> {
    return this.#rows(
      `SELECT ${COLUMNS.orderStatus} FROM order_status_history WHERE order_id = ? ORDER BY version`,
      [orderId],
    );
  }

  async trades(q: TradeQuery): Promise<readonly TradeRow[]> {
    const limit = pageLimit(q.limit);
    const trades = `SELECT ${COLUMNS.trades} FROM trades WHERE symbol = ? AND trade_id >= ?`;
    return q.fromId === undefined
      ? (
          await this.#rows<TradeRow>(`${trades} ORDER BY trade_id DESC LIMIT ?`, [q.symbol, MIN, limit])
        ).reverse()
      : this.#rows(`${trades} ORDER BY trade_id LIMIT ?`, [q.symbol, q.fromId, limit]);
  }

  async recentTrades(symbol: string, limit?: number): Promise<readonly TradeRow[]> {
    return this.trades(limit === undefined ? { symbol } : { symbol, limit });
  }

  async userTrades(q: UserTradeQuery): Promise<readonly UserTradeRow[]> {
    const limit = pageLimit(q.limit);
    const orderId = q.orderId ?? null;
    const side = [
      q.userId,
      q.symbol,
      q.fromId ?? MIN,
      q.startTime ?? MIN,
      q.endTime ?? MAX,
      orderId,
      orderId,
      limit,
    ];
    const newest = q.fromId === undefined && q.startTime === undefined;
    const raw = await this.#rows<UserTradeRow & { isBuyer: unknown; isMaker: unknown }>(
      newest ? USER_TRADES_NEWEST : USER_TRADES_FROM,
      [...side, ...side, limit],
    );
    // MariaDB's booleans are integers; the port's rows carry real booleans.
    const rows = raw.map((r) => ({
      ...r,
      isBuyer: Number(r.isBuyer) === 1,
      isMaker: Number(r.isMaker) === 1,
    }));
    return newest ? rows.reverse() : rows;
  }

  async postings(q: PostingQuery): Promise<readonly PostingRow[]> {
    const postings = `SELECT ${COLUMNS.postings} FROM postings WHERE user_id = ?`;
    const fromSeq = q.fromSeq ?? MIN;
    const limit = pageLimit(q.limit);
    return q.asset === undefined
      ? this.#rows(`${postings} AND seq >= ? ORDER BY seq, entry_no LIMIT ?`, [q.userId, fromSeq, limit])
      : this.#rows(`${postings} AND asset = ? AND seq >= ? ORDER BY seq, entry_no LIMIT ?`, [
          q.userId,
          q.asset,
          fromSeq,
          limit,
        ]);
  }

  async balances(userId: number): Promise<readonly BalanceRow[]> {
    return this.#rows(`SELECT ${COLUMNS.balances} FROM balances WHERE user_id = ? ORDER BY asset`, [userId]);
  }

  async candles(q: CandleQuery): Promise<readonly CandleRow[]> {
    const limit = pageLimit(q.limit);
    const candles = `SELECT ${COLUMNS.candles} FROM candles WHERE symbol = ? AND \`interval\` = ?
      AND open_time BETWEEN ? AND ?`;
    const params = [q.symbol, q.interval, q.startTime ?? MIN, q.endTime ?? MAX, limit];
    return q.startTime === undefined
      ? (await this.#rows<CandleRow>(`${candles} ORDER BY open_time DESC LIMIT ?`, params)).reverse()
      : this.#rows(`${candles} ORDER BY open_time LIMIT ?`, params);
  }

  async withdrawals(userId: number): Promise<readonly WithdrawalRow[]> {
    return this.#rows(
      `SELECT ${COLUMNS.withdrawals} FROM withdrawals WHERE user_id = ? ORDER BY requested_seq, withdrawal_id`,
      [userId],
    );
  }

  async #rows<T>(sql: string, params: readonly SqlValue[]): Promise<T[]> {
    return withRetry(async () => {
      const [rows] = await this.#pool.execute(sql, params as SqlValue[]);
      return rows as T[];
    }, this.#retry);
  }
}

function fail(message: string): never {
  throw new TypeError(message);
}
