/**
 * The SQLite schema. Amounts are INTEGER (every amount is a safe integer, so SQLite's 64-bit
 * integers hold them exactly and node:sqlite returns them as numbers). Primary keys are natural
 * (order id, trade id, (seq, entry_no), ...) rather than autoincrement, so that a rebuild from the
 * same events produces the same rows whatever the batch boundaries. WITHOUT ROWID keeps tables with
 * composite keys clustered on that key. A new database starts at SCHEMA_VERSION; an older one is
 * brought up to it by `migrations.ts`, which gains a step with each bump.
 */
export const SCHEMA_VERSION = 5;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS projection_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_seq INTEGER NOT NULL,
  schema_version INTEGER NOT NULL
);
INSERT OR IGNORE INTO projection_state (id, last_seq, schema_version) VALUES (1, 0, ${SCHEMA_VERSION});

CREATE TABLE IF NOT EXISTS assets (
  asset TEXT PRIMARY KEY,
  decimals INTEGER NOT NULL,
  added_seq INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS markets (
  symbol TEXT PRIMARY KEY,
  base TEXT NOT NULL,
  quote TEXT NOT NULL,
  tick_size INTEGER NOT NULL,
  lot_size INTEGER NOT NULL,
  min_qty INTEGER NOT NULL,
  max_qty INTEGER NOT NULL,
  min_notional INTEGER NOT NULL,
  maker_fee_ppm INTEGER NOT NULL,
  taker_fee_ppm INTEGER NOT NULL,
  default_stp_mode TEXT NOT NULL,
  status TEXT NOT NULL,
  listed_seq INTEGER NOT NULL,
  updated_seq INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS orders (
  order_id INTEGER PRIMARY KEY,
  symbol TEXT NOT NULL,
  user_id INTEGER NOT NULL,
  client_order_id TEXT NOT NULL,
  side TEXT NOT NULL,
  order_type TEXT NOT NULL,
  time_in_force TEXT NOT NULL,
  price INTEGER NOT NULL,
  orig_qty INTEGER NOT NULL,
  orig_quote_order_qty INTEGER NOT NULL,
  executed_qty INTEGER NOT NULL,
  cumulative_quote_qty INTEGER NOT NULL,
  status TEXT NOT NULL,
  status_reason TEXT NOT NULL,
  stp_mode TEXT NOT NULL,
  created_seq INTEGER NOT NULL,
  created_ts INTEGER NOT NULL,
  updated_seq INTEGER NOT NULL,
  updated_ts INTEGER NOT NULL,
  version INTEGER NOT NULL,
  stop_price INTEGER NOT NULL DEFAULT 0,
  trailing_delta INTEGER NOT NULL DEFAULT 0,
  working_ts INTEGER NOT NULL DEFAULT -1
);
CREATE INDEX IF NOT EXISTS orders_by_user ON orders (user_id, symbol, order_id);
CREATE INDEX IF NOT EXISTS orders_by_client_id ON orders (user_id, symbol, client_order_id);
-- Open orders are few among all orders ever placed; a partial index keeps that query small.
CREATE INDEX IF NOT EXISTS open_orders ON orders (user_id, symbol, order_id)
  WHERE status IN ('NEW', 'PARTIALLY_FILLED');

CREATE TABLE IF NOT EXISTS order_status_history (
  order_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  executed_qty INTEGER NOT NULL,
  cumulative_quote_qty INTEGER NOT NULL,
  reason TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  PRIMARY KEY (order_id, version)
) WITHOUT ROWID;

-- Trade ids run 1, 2, 3... per symbol (version 4; before, one count ran across all symbols).
CREATE TABLE IF NOT EXISTS trades (
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
CREATE INDEX IF NOT EXISTS trades_by_taker ON trades (taker_user_id, symbol, trade_id);
CREATE INDEX IF NOT EXISTS trades_by_maker ON trades (maker_user_id, symbol, trade_id);

CREATE TABLE IF NOT EXISTS postings (
  seq INTEGER NOT NULL,
  entry_no INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  account TEXT NOT NULL,
  asset TEXT NOT NULL,
  amount INTEGER NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (seq, entry_no)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS postings_by_user ON postings (user_id, asset, seq, entry_no);

CREATE TABLE IF NOT EXISTS balances (
  user_id INTEGER NOT NULL,
  asset TEXT NOT NULL,
  available INTEGER NOT NULL,
  locked INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (user_id, asset)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS candles (
  symbol TEXT NOT NULL,
  interval TEXT NOT NULL,
  open_time INTEGER NOT NULL,
  close_time INTEGER NOT NULL,
  open INTEGER NOT NULL,
  high INTEGER NOT NULL,
  low INTEGER NOT NULL,
  close INTEGER NOT NULL,
  volume INTEGER NOT NULL,
  quote_volume INTEGER NOT NULL,
  trade_count INTEGER NOT NULL,
  first_trade_id INTEGER NOT NULL,
  last_trade_id INTEGER NOT NULL,
  -- Version 2. Last, where the migration's ALTER TABLE puts them, so both layouts are the same.
  taker_buy_volume INTEGER NOT NULL DEFAULT 0,
  taker_buy_quote_volume INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (symbol, interval, open_time)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS withdrawals (
  withdrawal_id TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL,
  asset TEXT NOT NULL,
  amount INTEGER NOT NULL,
  status TEXT NOT NULL,
  requested_seq INTEGER NOT NULL,
  requested_ts INTEGER NOT NULL,
  updated_seq INTEGER NOT NULL,
  updated_ts INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS withdrawals_by_user ON withdrawals (user_id, requested_seq);
`;

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
  candles: `symbol, interval, open_time AS openTime, close_time AS closeTime, open, high, low, close,
    volume, quote_volume AS quoteVolume, taker_buy_volume AS takerBuyVolume,
    taker_buy_quote_volume AS takerBuyQuoteVolume, trade_count AS tradeCount,
    first_trade_id AS firstTradeId, last_trade_id AS lastTradeId`,
  withdrawals: `withdrawal_id AS withdrawalId, user_id AS userId, asset, amount, status,
    requested_seq AS requestedSeq, requested_ts AS requestedTs, updated_seq AS updatedSeq,
    updated_ts AS updatedTs`,
} as const;
