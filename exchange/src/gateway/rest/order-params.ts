import type { NewOrder } from '../../domain/commands.ts';
import type { SelfTradePreventionMode, Side, TimeInForce } from '../../domain/market.ts';
import { errors } from '../binance/api-error.ts';
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
    values: ['LIMIT', 'MARKET', 'LIMIT_MAKER'],
    invalid: errors.invalidOrderType,
    description: 'LIMIT, MARKET or LIMIT_MAKER.',
  },
  {
    name: 'timeInForce',
    type: 'enum',
    values: ['GTC', 'IOC', 'FOK'],
    invalid: errors.invalidTif,
    description: 'LIMIT only: GTC, IOC or FOK.',
  },
  { name: 'quantity', type: 'decimal', description: 'Base quantity.' },
  { name: 'quoteOrderQty', type: 'decimal', description: 'MARKET only: quote amount to spend or receive.' },
  { name: 'price', type: 'decimal', description: 'LIMIT and LIMIT_MAKER: limit price.' },
  clientId('newClientOrderId', 'Your id for the order; unique among your open orders.'),
  {
    name: 'newOrderRespType',
    type: 'enum',
    values: ['ACK', 'RESULT', 'FULL'],
    description: 'Default FULL for LIMIT and MARKET, ACK for LIMIT_MAKER.',
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
  }
  const b = market.baseDecimals;
  const q = market.quoteDecimals;
  const price = params.str('price');
  const quantity = params.str('quantity');
  const quoteOrderQty = params.str('quoteOrderQty');
  const timeInForce = params.str('timeInForce') as TimeInForce | undefined;
  const clientOrderId = params.str('newClientOrderId');
  const stpMode = params.str('selfTradePreventionMode') as SelfTradePreventionMode | undefined;
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
  };
  const respType =
    (params.str('newOrderRespType') as NewOrderRespType | undefined) ??
    (type === 'LIMIT_MAKER' ? 'ACK' : 'FULL');
  return { order, respType };
}
