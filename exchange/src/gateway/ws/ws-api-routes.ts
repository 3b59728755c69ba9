/**
 * Binance's WebSocket API methods that are REST endpoints under another name. Each runs its REST
 * route through the one dispatcher (rest/route-dispatcher.ts): the same parameters, validation,
 * weight, security, order limits, handler and answer, so the two doors cannot drift. Only how the
 * caller proves who it is differs: `apiKey` and `signature` parameters, or the session's logon.
 */
export const WS_API_ROUTES: ReadonlyMap<string, string> = new Map([
  ['order.place', 'POST /api/v3/order'],
  ['order.test', 'POST /api/v3/order/test'],
  ['order.status', 'GET /api/v3/order'],
  ['order.cancel', 'DELETE /api/v3/order'],
  ['order.cancelReplace', 'POST /api/v3/order/cancelReplace'],
  ['openOrders.status', 'GET /api/v3/openOrders'],
  ['openOrders.cancelAll', 'DELETE /api/v3/openOrders'],
  ['allOrders', 'GET /api/v3/allOrders'],
  ['myTrades', 'GET /api/v3/myTrades'],
  ['account.status', 'GET /api/v3/account'],
  ['account.commission', 'GET /api/v3/account/commission'],
  ['account.rateLimits.orders', 'GET /api/v3/rateLimit/order'],
  ['depth', 'GET /api/v3/depth'],
  ['trades.recent', 'GET /api/v3/trades'],
  ['trades.historical', 'GET /api/v3/historicalTrades'],
  ['trades.aggregate', 'GET /api/v3/aggTrades'],
  ['klines', 'GET /api/v3/klines'],
  ['uiKlines', 'GET /api/v3/uiKlines'],
  ['avgPrice', 'GET /api/v3/avgPrice'],
  ['ticker.24hr', 'GET /api/v3/ticker/24hr'],
  ['ticker.tradingDay', 'GET /api/v3/ticker/tradingDay'],
  ['ticker', 'GET /api/v3/ticker'],
  ['ticker.price', 'GET /api/v3/ticker/price'],
  ['ticker.book', 'GET /api/v3/ticker/bookTicker'],
  ['exchangeInfo', 'GET /api/v3/exchangeInfo'],
  // The listen-key methods (Binance deprecates them for userDataStream.subscribe, but still serves them).
  ['userDataStream.start', 'POST /api/v3/userDataStream'],
  ['userDataStream.ping', 'PUT /api/v3/userDataStream'],
  ['userDataStream.stop', 'DELETE /api/v3/userDataStream'],
]);

/** A documented method whose engine feature Bourse has not built: answered -1020, naming what is missing. */
export interface UnsupportedMethod {
  /** Binance's weight: the request still counts against the IP. */
  readonly weight: number;
  /** What is missing, for the error message. */
  readonly feature: string;
}

const ORDER_LISTS = 'order lists (OCO, OTO, OTOCO)';

export const UNSUPPORTED_WS_API_METHODS: ReadonlyMap<string, UnsupportedMethod> = new Map([
  ['order.amend.keepPriority', { weight: 4, feature: 'amending an order while keeping its priority' }],
  ['order.amendments', { weight: 4, feature: 'amending an order while keeping its priority' }],
  ['orderList.place', { weight: 1, feature: ORDER_LISTS }],
  ['orderList.place.oco', { weight: 1, feature: ORDER_LISTS }],
  ['orderList.place.oto', { weight: 1, feature: ORDER_LISTS }],
  ['orderList.place.otoco', { weight: 1, feature: ORDER_LISTS }],
  ['orderList.status', { weight: 4, feature: ORDER_LISTS }],
  ['orderList.cancel', { weight: 1, feature: ORDER_LISTS }],
  ['openOrderLists.status', { weight: 6, feature: ORDER_LISTS }],
  ['allOrderLists', { weight: 20, feature: ORDER_LISTS }],
  ['sor.order.place', { weight: 1, feature: 'smart order routing (SOR)' }],
  ['sor.order.test', { weight: 1, feature: 'smart order routing (SOR)' }],
  ['myAllocations', { weight: 20, feature: 'smart order routing (SOR) allocations' }],
  ['myPreventedMatches', { weight: 2, feature: 'a record of matches prevented by self-trade prevention' }],
]);
