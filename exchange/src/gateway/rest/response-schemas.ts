/**
 * JSON Schemas (OpenAPI 3.1) of the REST answers, as Binance Spot shapes them. Routes name theirs with
 * `response`; the document lists them under components. Objects admit no undocumented field, and a
 * test checks every route's real answers against these, so the document cannot drift from the server.
 */
import { TIMESTAMP_FORMAT } from '../binance/time-unit.ts';

export type JsonSchema = Readonly<Record<string, unknown>>;

const str: JsonSchema = { type: 'string' };
const int: JsonSchema = { type: 'integer' };
const bool: JsonSchema = { type: 'boolean' };
/**
 * A time: ms since the epoch, or µs when the request has `X-MBX-TIME-UNIT: MICROSECOND`. The
 * gateway scales exactly the fields marked so (binance/time-unit.ts), so every time is one of these.
 */
const time: JsonSchema = {
  type: 'integer',
  format: TIMESTAMP_FORMAT,
  description: 'ms since the epoch; µs with X-MBX-TIME-UNIT: MICROSECOND',
};
/** Amounts are decimal strings, never numbers, so that no client parses them into a float by accident. */
const dec: JsonSchema = { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$' };
const arrayOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** An object whose listed properties are all present, with nothing else. */
function exactly(properties: Record<string, JsonSchema>, optional: readonly string[] = []): JsonSchema {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    additionalProperties: false,
  };
}

const orderAck = {
  symbol: str,
  orderId: int,
  orderListId: int,
  clientOrderId: str,
  transactTime: time,
};
const orderResult = {
  ...orderAck,
  price: dec,
  origQty: dec,
  executedQty: dec,
  origQuoteOrderQty: dec,
  cummulativeQuoteQty: dec,
  status: str,
  timeInForce: str,
  type: str,
  side: str,
  workingTime: time,
  selfTradePreventionMode: str,
};
/**
 * What a conditional order adds (STOP_LOSS, TAKE_PROFIT and their _LIMITs): its stop price, and a
 * trailing one's delta with its trailing time (-1, not reported). A waiting order's workingTime is -1.
 */
const conditional = { stopPrice: dec, trailingDelta: int, trailingTime: int };
const CONDITIONAL_OPTIONAL = Object.keys(conditional);
const fill = exactly({ price: dec, qty: dec, commission: dec, commissionAsset: str, tradeId: int });
// A cancel's answer: the order as the cancel left it, with the cancel's own client id.
const { workingTime: _notOnCancels, ...canceledOrder } = orderResult;
const cancel = exactly({ ...canceledOrder, origClientOrderId: str, ...conditional }, CONDITIONAL_OPTIONAL);
const newOrder: JsonSchema = {
  oneOf: [
    exactly(orderAck),
    exactly({ ...orderResult, ...conditional }, CONDITIONAL_OPTIONAL),
    exactly({ ...orderResult, ...conditional, fills: arrayOf(fill) }, CONDITIONAL_OPTIONAL),
  ],
};
const miniTicker = {
  symbol: str,
  openPrice: dec,
  highPrice: dec,
  lowPrice: dec,
  lastPrice: dec,
  volume: dec,
  quoteVolume: dec,
  openTime: time,
  closeTime: time,
  firstId: int,
  lastId: int,
  count: int,
};
const ticker24h = exactly({
  ...miniTicker,
  priceChange: dec,
  priceChangePercent: dec,
  weightedAvgPrice: dec,
  prevClosePrice: dec,
  lastQty: dec,
  bidPrice: dec,
  bidQty: dec,
  askPrice: dec,
  askQty: dec,
});
const commissionRates = exactly({ maker: dec, taker: dec, buyer: dec, seller: dec });
const filter: JsonSchema = {
  type: 'object',
  required: ['filterType'],
  properties: {
    filterType: {
      enum: ['PRICE_FILTER', 'LOT_SIZE', 'MARKET_LOT_SIZE', 'MIN_NOTIONAL', 'NOTIONAL', 'TRAILING_DELTA'],
    },
  },
};
const symbolInfo = exactly(
  {
    symbol: str,
    status: str,
    baseAsset: str,
    baseAssetPrecision: int,
    quoteAsset: str,
    quotePrecision: int,
    quoteAssetPrecision: int,
    baseCommissionPrecision: int,
    quoteCommissionPrecision: int,
    orderTypes: arrayOf(str),
    icebergAllowed: bool,
    ocoAllowed: bool,
    otoAllowed: bool,
    quoteOrderQtyMarketAllowed: bool,
    allowTrailingStop: bool,
    cancelReplaceAllowed: bool,
    amendAllowed: bool,
    isSpotTradingAllowed: bool,
    isMarginTradingAllowed: bool,
    filters: arrayOf(filter),
    permissions: arrayOf(str),
    permissionSets: arrayOf(arrayOf(str)),
    defaultSelfTradePreventionMode: str,
    allowedSelfTradePreventionModes: arrayOf(str),
  },
  ['permissionSets'],
);
const priceLevel: JsonSchema = { type: 'array', prefixItems: [dec, dec], items: false, minItems: 2 };
const publicTrade = exactly({
  id: int,
  price: dec,
  qty: dec,
  quoteQty: dec,
  time: time,
  isBuyerMaker: bool,
  isBestMatch: bool,
});
const oneOrMany = (one: JsonSchema): JsonSchema => ({ oneOf: [one, arrayOf(one)] });

export const RESPONSE_SCHEMAS = {
  Empty: exactly({}),
  ServerTime: exactly({ serverTime: time }),
  ExchangeInfo: exactly({
    timezone: str,
    serverTime: time,
    rateLimits: arrayOf(exactly({ rateLimitType: str, interval: str, intervalNum: int, limit: int })),
    exchangeFilters: arrayOf({ type: 'object' }),
    symbols: arrayOf(symbolInfo),
  }),
  Depth: exactly({ lastUpdateId: int, bids: arrayOf(priceLevel), asks: arrayOf(priceLevel) }),
  PublicTrades: arrayOf(publicTrade),
  AggTrades: arrayOf(exactly({ a: int, p: dec, q: dec, f: int, l: int, T: time, m: bool, M: bool })),
  /** Open time, open, high, low, close, volume, close time, quote volume, trades, taker buy base and quote volumes, and an unused "0". */
  Klines: arrayOf({
    type: 'array',
    prefixItems: [time, dec, dec, dec, dec, dec, time, dec, int, dec, dec, str],
    items: false,
    minItems: 12,
  }),
  AvgPrice: exactly({ mins: int, price: dec, closeTime: time }),
  Ticker24h: oneOrMany({ oneOf: [ticker24h, exactly(miniTicker)] }),
  WindowTicker: oneOrMany({
    oneOf: [
      exactly({ ...miniTicker, priceChange: dec, priceChangePercent: dec, weightedAvgPrice: dec }),
      exactly(miniTicker),
    ],
  }),
  PriceTicker: oneOrMany(exactly({ symbol: str, price: dec })),
  BookTicker: oneOrMany(exactly({ symbol: str, bidPrice: dec, bidQty: dec, askPrice: dec, askQty: dec })),
  NewOrder: newOrder,
  OrderTest: {
    oneOf: [
      exactly({}),
      exactly({
        standardCommissionForOrder: exactly({ maker: dec, taker: dec }),
        taxCommissionForOrder: exactly({ maker: dec, taker: dec }),
        discount: exactly({
          enabledForAccount: bool,
          enabledForSymbol: bool,
          discountAsset: str,
          discount: dec,
        }),
      }),
    ],
  },
  Order: exactly(
    {
      symbol: str,
      orderId: int,
      orderListId: int,
      clientOrderId: str,
      price: dec,
      origQty: dec,
      executedQty: dec,
      cummulativeQuoteQty: dec,
      status: str,
      timeInForce: str,
      type: str,
      side: str,
      stopPrice: dec,
      icebergQty: dec,
      time: time,
      updateTime: time,
      isWorking: bool,
      workingTime: time,
      origQuoteOrderQty: dec,
      selfTradePreventionMode: str,
      trailingDelta: int,
      trailingTime: int,
    },
    ['trailingDelta', 'trailingTime'],
  ),
  Orders: arrayOf(ref('Order')),
  Cancel: cancel,
  Cancels: arrayOf(cancel),
  CancelReplace: exactly(
    {
      cancelResult: { enum: ['SUCCESS', 'FAILURE', 'NOT_ATTEMPTED'] },
      newOrderResult: { enum: ['SUCCESS', 'FAILURE', 'NOT_ATTEMPTED'] },
      cancelResponse: { oneOf: [cancel, exactly({ code: int, msg: str })] },
      newOrderResponse: { oneOf: [newOrder, exactly({ code: int, msg: str })] },
    },
    ['newOrderResponse'],
  ),
  Account: exactly({
    makerCommission: int,
    takerCommission: int,
    buyerCommission: int,
    sellerCommission: int,
    commissionRates,
    canTrade: bool,
    canWithdraw: bool,
    canDeposit: bool,
    brokered: bool,
    requireSelfTradePrevention: bool,
    preventSor: bool,
    updateTime: time,
    accountType: str,
    balances: arrayOf(exactly({ asset: str, free: dec, locked: dec })),
    permissions: arrayOf(str),
    uid: int,
  }),
  MyTrades: arrayOf(
    exactly({
      symbol: str,
      id: int,
      orderId: int,
      orderListId: int,
      price: dec,
      qty: dec,
      quoteQty: dec,
      commission: dec,
      commissionAsset: str,
      time: time,
      isBuyer: bool,
      isMaker: bool,
      isBestMatch: bool,
    }),
  ),
  ListenKey: exactly({ listenKey: str }),
  Commission: exactly({
    symbol: str,
    standardCommission: commissionRates,
    specialCommission: commissionRates,
    taxCommission: commissionRates,
    discount: exactly({ enabledForAccount: bool, enabledForSymbol: bool, discountAsset: str, discount: dec }),
  }),
  OrderRateLimits: arrayOf(
    exactly({ rateLimitType: str, interval: str, intervalNum: int, limit: int, count: int }),
  ),
} as const satisfies Record<string, JsonSchema>;

export type SchemaName = keyof typeof RESPONSE_SCHEMAS;

/** A route's `response`: a reference to one of the schemas above. */
export function responseOf(name: SchemaName): JsonSchema {
  return ref(name);
}
