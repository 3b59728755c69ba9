import { mulDiv } from '../../domain/amount.ts';
import type { EngineEvent, OrderAccepted, Trade } from '../../domain/events.ts';
import { isConditionalOrderType, type OrderType, type TimeInForce } from '../../domain/market.ts';
import { finalStatus } from '../../storage/order-status.ts';
import type { OrderRow, OrderStatus, TradeRow, UserTradeRow } from '../../storage/read-model-rows.ts';
import { formatMinor } from './decimal.ts';
import type { CatalogMarket } from './market-catalog.ts';

/**
 * Binance Spot's JSON shapes, built from engine events and read-model rows. Amounts are decimal
 * strings with the asset's decimals, as Binance writes them; ids and times are numbers.
 */

export type NewOrderRespType = 'ACK' | 'RESULT' | 'FULL';

/**
 * The engine runs a MARKET order (and a STOP_LOSS or TAKE_PROFIT, which works as one) as IOC;
 * Binance shows it as GTC, and clients expect that.
 */
export function wireTimeInForce(orderType: OrderType, timeInForce: TimeInForce): TimeInForce {
  return orderType === 'MARKET' || orderType === 'STOP_LOSS' || orderType === 'TAKE_PROFIT'
    ? 'GTC'
    : timeInForce;
}

/**
 * What Binance adds to an order of a conditional type: its stopPrice, and a trailing one's
 * trailingDelta with its trailingTime (-1: Bourse does not report when tracking began).
 */
function conditionalFields(
  orderType: OrderType,
  stopPrice: number,
  trailingDelta: number,
  quoteDecimals: number,
): Record<string, unknown> {
  if (!isConditionalOrderType(orderType)) return {};
  return {
    stopPrice: formatMinor(stopPrice, quoteDecimals),
    ...(trailingDelta !== 0 && { trailingDelta, trailingTime: -1 }),
  };
}

export interface OrderOutcome {
  readonly accepted: OrderAccepted;
  readonly trades: readonly Trade[];
  readonly status: OrderStatus;
  readonly executedQty: number;
  readonly cumulativeQuoteQty: number;
  readonly transactTime: number;
}

/** The fate of one new order within a command's events (a cancelReplace holds other events too). */
export function orderOutcome(events: readonly EngineEvent[], orderId: number): OrderOutcome | undefined {
  let accepted: OrderAccepted | undefined;
  const trades: Trade[] = [];
  let status: OrderStatus = 'NEW';
  let executedQty = 0;
  let cumulativeQuoteQty = 0;
  for (const event of events) {
    switch (event.type) {
      case 'OrderAccepted':
        if (event.orderId === orderId) accepted = event;
        break;
      case 'Trade':
        if (event.takerOrderId === orderId) {
          trades.push(event);
          executedQty = event.takerExecutedQty;
          cumulativeQuoteQty += event.quoteQuantity;
          status = 'PARTIALLY_FILLED';
        }
        break;
      case 'OrderFilled':
      case 'OrderCanceled':
      case 'OrderExpired':
        if (event.orderId === orderId) {
          executedQty = event.executedQty;
          cumulativeQuoteQty = event.cumulativeQuoteQty;
          status = finalStatus(event);
        }
        break;
    }
  }
  if (accepted === undefined) return undefined;
  return { accepted, trades, status, executedQty, cumulativeQuoteQty, transactTime: accepted.ts };
}

export function newOrderResponse(
  outcome: OrderOutcome,
  market: CatalogMarket,
  respType: NewOrderRespType,
): Record<string, unknown> {
  const o = outcome.accepted;
  const ack = {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    transactTime: outcome.transactTime,
  };
  if (respType === 'ACK') return ack;
  const b = market.baseDecimals;
  const q = market.quoteDecimals;
  const result: Record<string, unknown> = {
    ...ack,
    price: formatMinor(o.price, q),
    origQty: formatMinor(o.quantity, b),
    executedQty: formatMinor(outcome.executedQty, b),
    origQuoteOrderQty: formatMinor(o.quoteOrderQty, q),
    cummulativeQuoteQty: formatMinor(outcome.cumulativeQuoteQty, q),
    status: outcome.status,
    timeInForce: wireTimeInForce(o.orderType, o.timeInForce),
    type: o.orderType,
    side: o.side,
    // A conditional order cannot trigger in its own placement: it waits, not yet working.
    workingTime: isConditionalOrderType(o.orderType) ? -1 : outcome.transactTime,
    selfTradePreventionMode: o.stpMode,
    ...conditionalFields(o.orderType, o.stopPrice, o.trailingDelta, q),
  };
  if (respType === 'FULL') {
    result.fills = outcome.trades.map((t) => fill(t, market, o.side));
  }
  return result;
}

function fill(t: Trade, market: CatalogMarket, side: 'BUY' | 'SELL'): Record<string, unknown> {
  const buyer = side === 'BUY';
  return {
    price: formatMinor(t.price, market.quoteDecimals),
    qty: formatMinor(t.quantity, market.baseDecimals),
    commission: formatMinor(t.takerFee, buyer ? market.baseDecimals : market.quoteDecimals),
    commissionAsset: buyer ? market.spec.base : market.spec.quote,
    tradeId: t.tradeId,
  };
}

/** GET order, openOrders, allOrders. */
export function orderJson(row: OrderRow, market: CatalogMarket): Record<string, unknown> {
  const b = market.baseDecimals;
  const q = market.quoteDecimals;
  return {
    symbol: row.symbol,
    orderId: row.orderId,
    orderListId: -1,
    clientOrderId: row.clientOrderId,
    price: formatMinor(row.price, q),
    origQty: formatMinor(row.origQty, b),
    executedQty: formatMinor(row.executedQty, b),
    cummulativeQuoteQty: formatMinor(row.cumulativeQuoteQty, q),
    status: row.status,
    timeInForce: wireTimeInForce(row.orderType, row.timeInForce),
    type: row.orderType,
    side: row.side,
    stopPrice: formatMinor(row.stopPrice, q),
    icebergQty: formatMinor(0, b),
    time: row.createdTs,
    updateTime: row.updatedTs,
    isWorking: row.workingTs !== -1,
    workingTime: row.workingTs,
    origQuoteOrderQty: formatMinor(row.origQuoteOrderQty, q),
    selfTradePreventionMode: row.stpMode,
    ...(row.trailingDelta !== 0 && { trailingDelta: row.trailingDelta, trailingTime: -1 }),
  };
}

/** DELETE order and each element of DELETE openOrders. */
export function cancelJson(
  row: OrderRow,
  market: CatalogMarket,
  cancelClientOrderId: string,
  transactTime: number,
): Record<string, unknown> {
  const b = market.baseDecimals;
  const q = market.quoteDecimals;
  return {
    symbol: row.symbol,
    origClientOrderId: row.clientOrderId,
    orderId: row.orderId,
    orderListId: -1,
    clientOrderId: cancelClientOrderId,
    transactTime,
    price: formatMinor(row.price, q),
    origQty: formatMinor(row.origQty, b),
    executedQty: formatMinor(row.executedQty, b),
    origQuoteOrderQty: formatMinor(row.origQuoteOrderQty, q),
    cummulativeQuoteQty: formatMinor(row.cumulativeQuoteQty, q),
    status: row.status,
    timeInForce: wireTimeInForce(row.orderType, row.timeInForce),
    type: row.orderType,
    side: row.side,
    selfTradePreventionMode: row.stpMode,
    ...conditionalFields(row.orderType, row.stopPrice, row.trailingDelta, q),
  };
}

/** trades and historicalTrades. */
export function publicTradeJson(t: TradeRow, market: CatalogMarket): Record<string, unknown> {
  return {
    id: t.tradeId,
    price: formatMinor(t.price, market.quoteDecimals),
    qty: formatMinor(t.quantity, market.baseDecimals),
    quoteQty: formatMinor(t.quoteQuantity, market.quoteDecimals),
    time: t.ts,
    isBuyerMaker: t.takerSide === 'SELL',
    isBestMatch: true,
  };
}

/** myTrades. */
export function userTradeJson(t: UserTradeRow, market: CatalogMarket): Record<string, unknown> {
  const commissionDecimals =
    t.commissionAsset === market.spec.base ? market.baseDecimals : market.quoteDecimals;
  return {
    symbol: t.symbol,
    id: t.tradeId,
    orderId: t.orderId,
    orderListId: -1,
    price: formatMinor(t.price, market.quoteDecimals),
    qty: formatMinor(t.quantity, market.baseDecimals),
    quoteQty: formatMinor(t.quoteQuantity, market.quoteDecimals),
    commission: formatMinor(t.commission, commissionDecimals),
    commissionAsset: t.commissionAsset,
    time: t.ts,
    isBuyer: t.isBuyer,
    isMaker: t.isMaker,
    isBestMatch: true,
  };
}

/** Fee rates in ppm as Binance's decimal fractions ("0.00100000"). */
export function feeRate(ppm: number): string {
  return formatMinor(ppm * 100, 8);
}

/** Binance's commission rates of an account: maker and taker; Bourse charges no buyer or seller extra. */
export function commissionRates(makerPpm: number, takerPpm: number) {
  return { maker: feeRate(makerPpm), taker: feeRate(takerPpm), buyer: feeRate(0), seller: feeRate(0) };
}

/** Bourse has no special or tax commissions. */
export const NO_COMMISSION = commissionRates(0, 0);

/** Bourse has no fee discounts (Binance's BNB discount): what its commission answers say of them. */
export const NO_DISCOUNT = {
  enabledForAccount: false,
  enabledForSymbol: false,
  discountAsset: '',
  discount: feeRate(0),
} as const;

/** A ticker's change fields as Binance writes them: change, its percent (3 places), weighted price. */
export function priceChangeJson(
  market: { readonly baseDecimals: number; readonly quoteDecimals: number },
  open: number,
  last: number,
  volume: number,
  quoteVolume: number,
): { priceChange: string; priceChangePercent: string; weightedAvgPrice: string } {
  const change = last - open;
  // The price per whole base unit, exactly: quote minor units * 10^baseDecimals / base minor units.
  const weighted = volume === 0 ? 0 : mulDiv(quoteVolume, 10 ** market.baseDecimals, volume, false);
  return {
    priceChange: formatMinor(change, market.quoteDecimals),
    priceChangePercent: open === 0 ? '0.000' : ((change * 100) / open).toFixed(3),
    weightedAvgPrice: formatMinor(weighted, market.quoteDecimals),
  };
}
