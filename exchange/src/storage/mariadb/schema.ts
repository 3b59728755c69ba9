import type { Migration } from '../../runtime/mariadb/migrate.ts';

/**
 * The MariaDB schema of the read model, as versioned migrations (version n is MIGRATIONS[n - 1]).
 * Amounts are BIGINT (every amount is a safe integer), strings are binary-collated (client order
 * ids and symbols compare and sort exactly as in SQLite), and keys are the natural ones, so that a
 * rebuild gives the same rows whatever the batch boundaries. InnoDB, so that a batch and its position
 * commit together, and every row reaches the binary log in ROW format for the analytics replica.
 */
const TABLE = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE IF NOT EXISTS projection_state (
        id TINYINT PRIMARY KEY,
        last_seq BIGINT NOT NULL
      ) ${TABLE}`,
      'INSERT IGNORE INTO projection_state (id, last_seq) VALUES (1, 0)',
      `CREATE TABLE IF NOT EXISTS assets (
        asset VARCHAR(16) PRIMARY KEY,
        decimals INT NOT NULL,
        added_seq BIGINT NOT NULL
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS markets (
        symbol VARCHAR(32) PRIMARY KEY,
        base VARCHAR(16) NOT NULL,
        quote VARCHAR(16) NOT NULL,
        tick_size BIGINT NOT NULL,
        lot_size BIGINT NOT NULL,
        min_qty BIGINT NOT NULL,
        max_qty BIGINT NOT NULL,
        min_notional BIGINT NOT NULL,
        maker_fee_ppm INT NOT NULL,
        taker_fee_ppm INT NOT NULL,
        default_stp_mode VARCHAR(16) NOT NULL,
        status VARCHAR(16) NOT NULL,
        listed_seq BIGINT NOT NULL,
        updated_seq BIGINT NOT NULL
      ) ${TABLE}`,
      // is_open stands in for SQLite's partial index: open orders are few among all ever placed.
      `CREATE TABLE IF NOT EXISTS orders (
        order_id BIGINT PRIMARY KEY,
        symbol VARCHAR(32) NOT NULL,
        user_id BIGINT NOT NULL,
        client_order_id VARCHAR(64) NOT NULL,
        side VARCHAR(4) NOT NULL,
        order_type VARCHAR(16) NOT NULL,
        time_in_force VARCHAR(4) NOT NULL,
        price BIGINT NOT NULL,
        orig_qty BIGINT NOT NULL,
        orig_quote_order_qty BIGINT NOT NULL,
        executed_qty BIGINT NOT NULL,
        cumulative_quote_qty BIGINT NOT NULL,
        status VARCHAR(20) NOT NULL,
        status_reason VARCHAR(16) NOT NULL,
        stp_mode VARCHAR(16) NOT NULL,
        created_seq BIGINT NOT NULL,
        created_ts BIGINT NOT NULL,
        updated_seq BIGINT NOT NULL,
        updated_ts BIGINT NOT NULL,
        version INT NOT NULL,
        is_open TINYINT AS (status IN ('NEW', 'PARTIALLY_FILLED')) PERSISTENT,
        KEY orders_by_user (user_id, symbol, order_id),
        KEY orders_by_client_id (user_id, symbol, client_order_id),
        KEY open_orders (user_id, is_open, symbol, order_id)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS order_status_history (
        order_id BIGINT NOT NULL,
        version INT NOT NULL,
        status VARCHAR(20) NOT NULL,
        executed_qty BIGINT NOT NULL,
        cumulative_quote_qty BIGINT NOT NULL,
        reason VARCHAR(16) NOT NULL,
        seq BIGINT NOT NULL,
        ts BIGINT NOT NULL,
        PRIMARY KEY (order_id, version)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS trades (
        trade_id BIGINT NOT NULL,
        symbol VARCHAR(32) NOT NULL,
        price BIGINT NOT NULL,
        quantity BIGINT NOT NULL,
        quote_quantity BIGINT NOT NULL,
        taker_side VARCHAR(4) NOT NULL,
        taker_order_id BIGINT NOT NULL,
        taker_user_id BIGINT NOT NULL,
        maker_order_id BIGINT NOT NULL,
        maker_user_id BIGINT NOT NULL,
        taker_fee BIGINT NOT NULL,
        maker_fee BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        ts BIGINT NOT NULL,
        -- Trade ids run per symbol, as on Binance.
        PRIMARY KEY (symbol, trade_id),
        KEY trades_by_taker (taker_user_id, symbol, trade_id),
        KEY trades_by_maker (maker_user_id, symbol, trade_id)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS postings (
        seq BIGINT NOT NULL,
        entry_no INT NOT NULL,
        ts BIGINT NOT NULL,
        user_id BIGINT NOT NULL,
        account VARCHAR(16) NOT NULL,
        asset VARCHAR(16) NOT NULL,
        amount BIGINT NOT NULL,
        reason VARCHAR(24) NOT NULL,
        PRIMARY KEY (seq, entry_no),
        KEY postings_by_user (user_id, asset, seq, entry_no)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS balances (
        user_id BIGINT NOT NULL,
        asset VARCHAR(16) NOT NULL,
        available BIGINT NOT NULL,
        locked BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (user_id, asset)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS candles (
        symbol VARCHAR(32) NOT NULL,
        \`interval\` VARCHAR(4) NOT NULL,
        open_time BIGINT NOT NULL,
        close_time BIGINT NOT NULL,
        open BIGINT NOT NULL,
        high BIGINT NOT NULL,
        low BIGINT NOT NULL,
        close BIGINT NOT NULL,
        volume BIGINT NOT NULL,
        quote_volume BIGINT NOT NULL,
        taker_buy_volume BIGINT NOT NULL,
        taker_buy_quote_volume BIGINT NOT NULL,
        trade_count BIGINT NOT NULL,
        first_trade_id BIGINT NOT NULL,
        last_trade_id BIGINT NOT NULL,
        PRIMARY KEY (symbol, \`interval\`, open_time)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS withdrawals (
        withdrawal_id VARCHAR(64) PRIMARY KEY,
        user_id BIGINT NOT NULL,
        asset VARCHAR(16) NOT NULL,
        amount BIGINT NOT NULL,
        status VARCHAR(16) NOT NULL,
        requested_seq BIGINT NOT NULL,
        requested_ts BIGINT NOT NULL,
        updated_seq BIGINT NOT NULL,
        updated_ts BIGINT NOT NULL,
        KEY withdrawals_by_user (user_id, requested_seq)
      ) ${TABLE}`,
    ],
  },
  {
    // Conditional orders: a stop price, a trailing delta and the time an order began working (-1
    // while a stop waits), as SQLite's step 4. Every order stored before was a LIMIT, LIMIT_MAKER or
    // MARKET order, working from its placement. IF NOT EXISTS lets the step run again safely should
    // the process die before its version is recorded (no order is written before migrating ends).
    version: 2,
    statements: [
      `ALTER TABLE orders
        ADD COLUMN IF NOT EXISTS stop_price BIGINT NOT NULL DEFAULT 0,
        ADD COLUMN IF NOT EXISTS trailing_delta INT NOT NULL DEFAULT 0,
        ADD COLUMN IF NOT EXISTS working_ts BIGINT NOT NULL DEFAULT -1`,
      'UPDATE orders SET working_ts = created_ts',
    ],
  },
];

/** The data tables, in the order a reset empties them. */
export const DATA_TABLES = [
  'assets',
  'markets',
  'orders',
  'order_status_history',
  'trades',
  'postings',
  'balances',
  'candles',
  'withdrawals',
] as const;

/** Column lists that alias SQL names to the port's row fields. */
export const COLUMNS = {
  assets: 'asset, decimals, added_seq AS addedSeq',
  markets: `symbol, base, quote, tick_size AS tickSize, lot_size AS lotSize, min_qty AS minQty,
    max_qty AS maxQty, min_notional AS minNotional, maker_fee_ppm AS makerFeePpm,
    taker_fee_ppm AS takerFeePpm, default_stp_mode AS defaultStpMode, status, listed_seq AS listedSeq,
    updated_seq AS updatedSeq`,
  orders: `order_id AS orderId, symbol, user_id AS userId, client_order_id AS clientOrderId, side,
    order_type AS orderType, time_in_force AS timeInForce, price, orig_qty AS origQty,
    orig_quote_order_qty AS origQuoteOrderQty, executed_qty AS executedQty,
    cumulative_quote_qty AS cumulativeQuoteQty, status, status_reason AS statusReason, stp_mode AS stpMode,
    created_seq AS createdSeq, created_ts AS createdTs, updated_seq AS updatedSeq,
    updated_ts AS updatedTs, version, stop_price AS stopPrice, trailing_delta AS trailingDelta,
    working_ts AS workingTs`,
  orderStatus: `order_id AS orderId, version, status, executed_qty AS executedQty,
    cumulative_quote_qty AS cumulativeQuoteQty, reason, seq, ts`,
  trades: `trade_id AS tradeId, symbol, price, quantity, quote_quantity AS quoteQuantity,
    taker_side AS takerSide, taker_order_id AS takerOrderId, taker_user_id AS takerUserId,
    maker_order_id AS makerOrderId, maker_user_id AS makerUserId, taker_fee AS takerFee,
    maker_fee AS makerFee, seq, ts`,
  postings: 'seq, entry_no AS entryNo, ts, user_id AS userId, account, asset, amount, reason',
  balances: 'user_id AS userId, asset, available, locked, seq',
  candles: `symbol, \`interval\`, open_time AS openTime, close_time AS closeTime, open, high, low, close,
    volume, quote_volume AS quoteVolume, taker_buy_volume AS takerBuyVolume,
    taker_buy_quote_volume AS takerBuyQuoteVolume, trade_count AS tradeCount,
    first_trade_id AS firstTradeId, last_trade_id AS lastTradeId`,
  withdrawals: `withdrawal_id AS withdrawalId, user_id AS userId, asset, amount, status,
    requested_seq AS requestedSeq, requested_ts AS requestedTs, updated_seq AS updatedSeq,
    updated_ts AS updatedTs`,
} as const;
