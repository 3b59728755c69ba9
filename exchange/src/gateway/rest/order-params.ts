import type { NewOrder } from '../../domain/commands.ts';
import {
  isConditionalOrderType,
  ORDER_TYPES,
  type SelfTradePreventionMode,
  type Side,
  type TimeInForce,
} from '../../domain/market.ts';
import { ApiError, BinanceCode, errors } from '../binance/api-error.ts';
import { parseDecimalParam } from '../binance/decimal.ts';
import type { CatalogMarket } from '../binance/market-catalog.ts';
import type { ParamSpec, Params } from '../binance/params.ts';
import type { NewOrderRespType } from '../binance/wire.ts';

/** Binance's client order id rule. */
export const CLIENT_ORDER_ID = /^[.A-Za-z0-9:/_-]{1,36}$/;

const clientId = (name: string, description: string): ParamSpec => ({
  name,
  type: 'string',
  pattern: CLIENT_ORDER_ID,
  description,
});

/** The parameters of a new order, shared by order, order/test and order/cancelReplace. */
export const NEW_ORDER_PARAMS: readonly ParamSpec[] = [
  { name: 'symbol', type: 'symbol', required: true, description: 'Symbol, e.g. BTCUSDT.' },
  {
    name: 'side',
    type: 'enum',
    required: true,
    values: ['BUY', 'SELL'],
    invalid: errors.invalidSide,
    description: 'BUY or SELL.',
  },
  {
    name: 'type',
    type: 'enum',
    required: true,
    values: ORDER_TYPES,
    invalid: errors.invalidOrderType,
    description:
      'LIMIT, MARKET, LIMIT_MAKER, or the conditional STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT.',
  },
  {
    name: 'timeInForce',
    type: 'enum',
    values: ['GTC', 'IOC', 'FOK'],
    invalid: errors.invalidTif,
    description: 'LIMIT, STOP_LOSS_LIMIT and TAKE_PROFIT_LIMIT: GTC, IOC or FOK.',
  },
  {
    name: 'stopPrice',
    type: 'decimal',
    description:
      'Conditional types: the trade price that triggers the order (a stop loss buys at or above it and sells at or below it, a take profit the other way round); for a trailing order, the price that starts it tracking.',
  },
  {
    name: 'trailingDelta',
    type: 'int',
    min: 1,
    description:
      "Conditional types: a trailing stop's distance in basis points from the best price since it started tracking (the TRAILING_DELTA filter).",
  },
  { name: 'quantity', type: 'decimal', description: 'Base quantity.' },
  { name: 'quoteOrderQty', type: 'decimal', description: 'MARKET only: quote amount to spend or receive.' },
  {
    name: 'price',
    type: 'decimal',
    description: 'LIMIT, LIMIT_MAKER, STOP_LOSS_LIMIT and TAKE_PROFIT_LIMIT: limit price.',
  },
  clientId('newClientOrderId', 'Your id for the order; unique among your open orders.'),
  {
    name: 'newOrderRespType',
    type: 'enum',
    values: ['ACK', 'RESULT', 'FULL'],
    description: 'Default FULL for LIMIT and MARKET, ACK for every other type.',
  },
  {
    name: 'selfTradePreventionMode',
    type: 'enum',
    values: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
    description: "Default: the symbol's defaultSelfTradePreventionMode.",
  },
];

export interface ParsedOrder {
  readonly order: NewOrder;
  readonly respType: NewOrderRespType;
}

/**
 * Builds the engine's order from Binance's parameters: which ones each type needs (-1102) or must not
 * have (-1106), and each amount exact in the asset's decimals (-1111). Market filters (tick, lot,
 * notional) are the engine's to check.
 */
export function parseNewOrder(params: Params, market: CatalogMarket, userId: number): ParsedOrder {
  const type = params.str('type') as NewOrder['orderType'];
  const needs = (name: string) => {
    if (!params.has(name)) throw errors.mandatory(name);
  };
  const refuses = (name: string) => {
    if (params.has(name)) throw errors.notRequired(name);
  };
  switch (type) {
    case 'LIMIT':
      needs('timeInForce');
      needs('quantity');
      needs('price');
      refuses('quoteOrderQty');
      break;
    case 'LIMIT_MAKER':
      needs('quantity');
      needs('price');
      refuses('timeInForce');
      refuses('quoteOrderQty');
      break;
    case 'MARKET':
      refuses('price');
      refuses('timeInForce');
      if (params.has('quantity') && params.has('quoteOrderQty')) {
        throw errors.combination("Send exactly one of 'quantity' and 'quoteOrderQty' for a MARKET order.");
      }
      if (!params.has('quantity') && !params.has('quoteOrderQty')) needs('quantity');
      break;
    case 'STOP_LOSS':
    case 'TAKE_PROFIT':
      needs('quantity');
      refuses('price');
      refuses('timeInForce');
      refuses('quoteOrderQty');
      break;
    case 'STOP_LOSS_LIMIT':
    case 'TAKE_PROFIT_LIMIT':
      needs('timeInForce');
      needs('quantity');
      needs('price');
      refuses('quoteOrderQty');
      break;
  }
  if (isConditionalOrderType(type)) {
    if (!params.has('stopPrice') && !params.has('trailingDelta')) {
      throw new ApiError(
        BinanceCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED,
        "Param 'stopPrice' or 'trailingDelta' must be sent, but both were empty/null!",
      );
    }
  } else {
    refuses('stopPrice');
    refuses('trailingDelta');
  }
  const b = market.baseDecimals;
  const q = market.quoteDecimals;
  const price = params.str('price');
  const quantity = params.str('quantity');
  const quoteOrderQty = params.str('quoteOrderQty');
  const timeInForce = params.str('timeInForce') as TimeInForce | undefined;
  const clientOrderId = params.str('newClientOrderId');
  const stpMode = params.str('selfTradePreventionMode') as SelfTradePreventionMode | undefined;
  const stopPrice = params.str('stopPrice');
  const trailingDelta = params.int('trailingDelta');
  const order: NewOrder = {
    userId,
    symbol: market.spec.symbol,
    side: params.str('side') as Side,
    orderType: type,
    ...(timeInForce !== undefined && { timeInForce }),
    ...(price !== undefined && { price: parseDecimalParam('price', price, q) }),
    ...(quantity !== undefined && { quantity: parseDecimalParam('quantity', quantity, b) }),
    ...(quoteOrderQty !== undefined && {
      quoteOrderQty: parseDecimalParam('quoteOrderQty', quoteOrderQty, q),
    }),
    ...(clientOrderId !== undefined && { clientOrderId }),
    ...(stpMode !== undefined && { stpMode }),
    ...(stopPrice !== undefined && { stopPrice: parseDecimalParam('stopPrice', stopPrice, q) }),
    ...(trailingDelta !== undefined && { trailingDelta }),
  };
  const respType =
    (params.str('newOrderRespType') as NewOrderRespType | undefined) ??
    (type === 'LIMIT' || type === 'MARKET' ? 'FULL' : 'ACK');
  return { order, respType };
}
