import type { Pool } from 'mysql2/promise';
import { openServerPool } from '../../runtime/mariadb/connect.ts';
import type { MariaDbOptions } from '../../runtime/mariadb/mariadb-options.ts';
import type {
  AnalyticsPort,
  MarketDayQuery,
  MarketDayRow,
  ReplicaLag,
  UserVolumeQuery,
  UserVolumeRow,
} from '../analytics-port.ts';

const MIN = Number.MIN_SAFE_INTEGER;
const MAX = Number.MAX_SAFE_INTEGER;
const DAY = 'FLOOR(ts / 86400000) * 86400000';

/** Thrown when analytics are pointed at a server that is not a replica. */
export class NotAReplicaError extends Error {
  readonly code = 'NOT_A_REPLICA';
}

/**
 * Analytics on the binlog replica of the trading database. Opening checks that the server is a
 * replica (SHOW SLAVE STATUS has a row), so that heavy queries cannot land on the primary by a
 * configuration slip.
 */
export class MariaDbAnalytics implements AnalyticsPort {
  readonly #pool: Pool;
  /** The trading database's name, quoted: it exists on the replica once replication created it. */
  readonly #db: string;

  static async open(replica: MariaDbOptions): Promise<MariaDbAnalytics> {
    const pool = openServerPool(replica, 'analytics replica');
    try {
      const [rows] = await pool.query('SHOW SLAVE STATUS');
      if ((rows as unknown[]).length === 0) {
        throw new NotAReplicaError(
          `analytics run on the replica only: ${replica.host ?? '127.0.0.1'}:${replica.port ?? 3306} is not a replica ` +
            '(SHOW SLAVE STATUS is empty); point them at the binlog replica of the trading database',
        );
      }
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new MariaDbAnalytics(pool, replica.database);
  }

  private constructor(pool: Pool, database: string) {
    this.#pool = pool;
    this.#db = `\`${database}\``;
  }

  async marketDays(q: MarketDayQuery): Promise<readonly MarketDayRow[]> {
    const symbol = q.symbol ?? null;
    const range = [
      q.startTime ?? MIN,
      q.endTime === undefined ? MAX : q.endTime + 86_399_999,
      symbol,
      symbol,
    ];
    const where = 'ts BETWEEN ? AND ? AND (? IS NULL OR symbol = ?)';
    const [trades] = await this.#pool.execute(
      `SELECT t.symbol, ${DAY} AS day, sum(t.quantity) AS volume, sum(t.quote_quantity) AS quoteVolume,
         count(*) AS tradeCount,
         sum(CASE WHEN t.taker_side = 'BUY' THEN t.taker_fee ELSE t.maker_fee END) AS baseFees,
         sum(CASE WHEN t.taker_side = 'BUY' THEN t.maker_fee ELSE t.taker_fee END) AS quoteFees
       FROM ${this.#db}.trades t WHERE ${where} GROUP BY t.symbol, day`,
      range,
    );
    const [traders] = await this.#pool.execute(
      `SELECT symbol, day, count(DISTINCT user_id) AS activeTraders FROM (
         SELECT symbol, ${DAY} AS day, taker_user_id AS user_id FROM ${this.#db}.trades WHERE ${where}
         UNION ALL
         SELECT symbol, ${DAY} AS day, maker_user_id AS user_id FROM ${this.#db}.trades WHERE ${where}
       ) sides GROUP BY symbol, day`,
      [...range, ...range],
    );
    const [orders] = await this.#pool.execute(
      `SELECT symbol, FLOOR(created_ts / 86400000) * 86400000 AS day, count(*) AS ordersPlaced
       FROM ${this.#db}.orders WHERE created_ts BETWEEN ? AND ? AND (? IS NULL OR symbol = ?) GROUP BY symbol, day`,
      range,
    );
    const [markets] = await this.#pool.query(`SELECT symbol, base, quote FROM ${this.#db}.markets`);
    const assets = new Map(
      (markets as { symbol: string; base: string; quote: string }[]).map((m) => [m.symbol, m]),
    );
    const days = new Map<string, MarketDayRow>();
    const key = (symbol: string, day: number) => `${symbol}\u0000${day}`;
    const blank = (symbol: string, day: number): MarketDayRow => ({
      symbol,
      day,
      volume: 0,
      quoteVolume: 0,
      tradeCount: 0,
      baseFees: 0,
      quoteFees: 0,
      base: assets.get(symbol)?.base ?? '',
      quote: assets.get(symbol)?.quote ?? '',
      activeTraders: 0,
      ordersPlaced: 0,
      orderToTradeRatio: null,
    });
    type Numeric = Record<string, number | string>;
    for (const r of trades as Numeric[]) {
      const day = Number(r.day);
      days.set(key(String(r.symbol), day), {
        ...blank(String(r.symbol), day),
        volume: Number(r.volume),
        quoteVolume: Number(r.quoteVolume),
        tradeCount: Number(r.tradeCount),
        baseFees: Number(r.baseFees),
        quoteFees: Number(r.quoteFees),
      });
    }
    for (const r of traders as Numeric[]) {
      const k = key(String(r.symbol), Number(r.day));
      const row = days.get(k) ?? blank(String(r.symbol), Number(r.day));
      days.set(k, { ...row, activeTraders: Number(r.activeTraders) });
    }
    for (const r of orders as Numeric[]) {
      const k = key(String(r.symbol), Number(r.day));
      const row = days.get(k) ?? blank(String(r.symbol), Number(r.day));
      days.set(k, { ...row, ordersPlaced: Number(r.ordersPlaced) });
    }
    return [...days.values()]
      .map((d) => ({ ...d, orderToTradeRatio: d.tradeCount === 0 ? null : d.ordersPlaced / d.tradeCount }))
      .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.day - b.day));
  }

  async userVolume(q: UserVolumeQuery): Promise<readonly UserVolumeRow[]> {
    const side = (role: 'taker' | 'maker') => {
      const buyer = role === 'taker' ? 'BUY' : 'SELL';
      return `SELECT symbol, quantity, quote_quantity,
          CASE WHEN taker_side = '${buyer}' THEN ${role}_fee ELSE 0 END AS base_fee,
          CASE WHEN taker_side = '${buyer}' THEN 0 ELSE ${role}_fee END AS quote_fee
        FROM ${this.#db}.trades WHERE ${role}_user_id = ? AND ts BETWEEN ? AND ?`;
    };
    const params = [q.userId, q.startTime ?? MIN, q.endTime ?? MAX];
    const [rows] = await this.#pool.execute(
      `SELECT s.symbol, m.base, m.quote, count(*) AS trades, sum(s.quantity) AS volume,
         sum(s.quote_quantity) AS quoteVolume, sum(s.base_fee) AS baseFees, sum(s.quote_fee) AS quoteFees
       FROM (${side('taker')} UNION ALL ${side('maker')}) s JOIN ${this.#db}.markets m ON m.symbol = s.symbol
       GROUP BY s.symbol, m.base, m.quote ORDER BY s.symbol`,
      [...params, ...params],
    );
    return (rows as Record<string, number | string>[]).map((r) => ({
      symbol: String(r.symbol),
      base: String(r.base),
      quote: String(r.quote),
      trades: Number(r.trades),
      volume: Number(r.volume),
      quoteVolume: Number(r.quoteVolume),
      baseFees: Number(r.baseFees),
      quoteFees: Number(r.quoteFees),
    }));
  }

  async lag(): Promise<ReplicaLag> {
    const [status] = await this.#pool.query('SHOW SLAVE STATUS');
    const row = (status as Record<string, unknown>[])[0] ?? {};
    const [state] = await this.#pool
      .query(`SELECT last_seq AS lastSeq FROM ${this.#db}.projection_state WHERE id = 1`)
      .catch(() => [[]]);
    const seconds = row.Seconds_Behind_Master;
    return {
      secondsBehindPrimary: seconds === null || seconds === undefined ? null : Number(seconds),
      replicating: row.Slave_IO_Running === 'Yes' && row.Slave_SQL_Running === 'Yes',
      replicaSeq: Number((state as { lastSeq?: number }[])[0]?.lastSeq ?? 0),
      lastError: String(row.Last_IO_Error || row.Last_SQL_Error || ''),
    };
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}
