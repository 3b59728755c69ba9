import type { OrderRef } from '../../domain/commands.ts';
import type { EngineEvent, OrderCanceled, Rejected } from '../../domain/events.ts';
import { MAX_LIMIT } from '../../storage/read-model-port.ts';
import type { OrderRow } from '../../storage/read-model-rows.ts';
import { randomToken } from '../auth/secret-box.ts';
import { ApiError, BinanceCode, errors, rejectionError } from '../binance/api-error.ts';
import type { CatalogMarket } from '../binance/market-catalog.ts';
import type { ParamSpec, Params } from '../binance/params.ts';
import { orderTestFilterFailure } from '../binance/symbol-filters.ts';
import {
  cancelJson,
  feeRate,
  NO_DISCOUNT,
  newOrderResponse,
  orderJson,
  orderOutcome,
} from '../binance/wire.ts';
import type { ApiDeps } from './api-deps.ts';
import { CLIENT_ORDER_ID, NEW_ORDER_PARAMS, parseNewOrder } from './order-params.ts';
import { responseOf } from './response-schemas.ts';
import type { RequestContext, Route } from './route.ts';
import { submit } from './submit.ts';

const symbol: ParamSpec = {
  name: 'symbol',
  type: 'symbol',
  required: true,
  description: 'Symbol, e.g. BTCUSDT.',
};
const orderId: ParamSpec = { name: 'orderId', type: 'int', min: 1, description: "The exchange's order id." };
const origClientOrderId: ParamSpec = {
  name: 'origClientOrderId',
  type: 'string',
  pattern: CLIENT_ORDER_ID,
  description: "The order's client order id.",
};
const newClientOrderId: ParamSpec = {
  name: 'newClientOrderId',
  type: 'string',
  pattern: CLIENT_ORDER_ID,
  description: 'An id for the cancel itself; random if not sent.',
};

/** orderId or origClientOrderId, at least one (-1102 otherwise). */
function orderRef(params: Params, idName: string, clientName: string): OrderRef {
  const id = params.int(idName);
  const client = params.str(clientName);
  if (id === undefined && client === undefined) {
    throw new ApiError(
      BinanceCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED,
      `Param '${idName}' or '${clientName}' must be sent, but both were empty/null!`,
    );
  }
  return { ...(id !== undefined && { orderId: id }), ...(client !== undefined && { clientOrderId: client }) };
}

function firstRejection(events: readonly EngineEvent[]): Rejected | undefined {
  for (const event of events) if (event.type === 'Rejected') return event;
  return undefined;
}

/**
 * An order as the engine has just left it: from the gateway's order index, or else from the read
 * model once it holds everything acknowledged so far.
 */
async function orderRow(deps: ApiDeps, userId: number, market: CatalogMarket, id: number): Promise<OrderRow> {
  const tracked = deps.orders.get(id);
  if (tracked !== undefined && tracked.userId === userId) return tracked;
  await deps.exchange.caughtUp();
  const row = await deps.readModel.order(userId, market.spec.symbol, { orderId: id });
  if (row === undefined) throw errors.internal();
  return row;
}

export function orderRoutes(deps: ApiDeps): Route[] {
  const { catalog } = deps;

  const placeOrder = async (ctx: RequestContext) => {
    const market = catalog.require(ctx.params.str('symbol')!);
    const { order, respType } = parseNewOrder(ctx.params, market, ctx.identity!.userId);
    const result = await submit(deps, { type: 'PlaceOrder', ...order });
    const rejected = firstRejection(result.events);
    if (rejected !== undefined) throw rejectionError(rejected.reason, 'NEW_ORDER');
    const accepted = result.events.find((e) => e.type === 'OrderAccepted');
    const outcome = accepted === undefined ? undefined : orderOutcome(result.events, accepted.orderId);
    if (outcome === undefined) throw errors.internal();
    return newOrderResponse(outcome, market, respType);
  };

  const cancelOne = async (ctx: RequestContext) => {
    const market = catalog.require(ctx.params.str('symbol')!);
    const ref = orderRef(ctx.params, 'orderId', 'origClientOrderId');
    const userId = ctx.identity!.userId;
    const result = await submit(deps, { type: 'CancelOrder', userId, symbol: market.spec.symbol, ...ref });
    const rejected = firstRejection(result.events);
    if (rejected !== undefined) throw rejectionError(rejected.reason, 'CANCEL');
    const canceled = result.events.find((e): e is OrderCanceled => e.type === 'OrderCanceled');
    if (canceled === undefined) throw errors.internal();
    const row = await orderRow(deps, userId, market, canceled.orderId);
    return cancelJson(row, market, ctx.params.str('newClientOrderId') ?? randomToken(22), result.ts);
  };

  return [
    {
      method: 'POST',
      path: '/api/v3/order',
      summary: 'New order.',
      security: 'TRADE',
      weight: 1,
      response: responseOf('NewOrder'),
      countsOrder: true,
      params: NEW_ORDER_PARAMS,
      handle: placeOrder,
    },
    {
      method: 'POST',
      path: '/api/v3/order/test',
      summary: 'Test a new order: every check of a real one but the balance, and nothing is placed.',
      security: 'TRADE',
      weight: (params) => (params.str('computeCommissionRates') === 'true' ? 20 : 1),
      response: responseOf('OrderTest'),
      params: [
        ...NEW_ORDER_PARAMS,
        {
          name: 'computeCommissionRates',
          type: 'boolean',
          description: 'Return the commission rates. Default false.',
        },
      ],
      handle: (ctx) => {
        const market = catalog.require(ctx.params.str('symbol')!);
        const { order } = parseNewOrder(ctx.params, market, ctx.identity!.userId);
        if (market.status !== 'TRADING') throw rejectionError('MARKET_HALTED', 'NEW_ORDER');
        const violation = orderTestFilterFailure(order, market, deps.marketData, ctx.nowMs);
        if (violation !== null) throw rejectionError(violation, 'NEW_ORDER');
        if (ctx.params.bool('computeCommissionRates') !== true) return {};
        return {
          standardCommissionForOrder: {
            maker: feeRate(market.spec.makerFeePpm),
            taker: feeRate(market.spec.takerFeePpm),
          },
          taxCommissionForOrder: { maker: feeRate(0), taker: feeRate(0) },
          discount: NO_DISCOUNT,
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v3/order',
      summary: "Query an order's status.",
      security: 'USER_DATA',
      readsProjection: true,
      weight: 4,
      response: responseOf('Order'),
      params: [symbol, orderId, origClientOrderId],
      handle: async (ctx) => {
        const market = catalog.require(ctx.params.str('symbol')!);
        const ref = orderRef(ctx.params, 'orderId', 'origClientOrderId');
        const row = await deps.readModel.order(ctx.identity!.userId, market.spec.symbol, ref);
        if (
          row === undefined ||
          (ref.clientOrderId !== undefined && row.clientOrderId !== ref.clientOrderId)
        ) {
          throw rejectionError('UNKNOWN_ORDER', 'QUERY');
        }
        return orderJson(row, market);
      },
    },
    {
      method: 'DELETE',
      path: '/api/v3/order',
      summary: 'Cancel an open order.',
      security: 'TRADE',
      weight: 1,
      response: responseOf('Cancel'),
      params: [symbol, orderId, origClientOrderId, newClientOrderId],
      handle: cancelOne,
    },
    {
      method: 'POST',
      path: '/api/v3/order/cancelReplace',
      summary: 'Cancel an order and place a new one, in one step.',
      security: 'TRADE',
      weight: 1,
      response: responseOf('CancelReplace'),
      countsOrder: true,
      params: [
        ...NEW_ORDER_PARAMS,
        {
          name: 'cancelReplaceMode',
          type: 'enum',
          required: true,
          values: ['STOP_ON_FAILURE', 'ALLOW_FAILURE'],
          description: 'STOP_ON_FAILURE places nothing if the cancel fails; ALLOW_FAILURE places anyway.',
        },
        { ...orderId, name: 'cancelOrderId', description: 'The order to cancel, by id.' },
        {
          ...origClientOrderId,
          name: 'cancelOrigClientOrderId',
          description: 'The order to cancel, by client id.',
        },
        { ...newClientOrderId, name: 'cancelNewClientOrderId' },
      ],
      handle: (ctx) => cancelReplace(deps, ctx),
    },
    {
      method: 'GET',
      path: '/api/v3/openOrders',
      summary: 'Open orders, on one symbol or all.',
      security: 'USER_DATA',
      readsProjection: true,
      weight: (params) => (params.has('symbol') ? 6 : 80),
      response: responseOf('Orders'),
      params: [{ ...symbol, required: false }],
      handle: async (ctx) => {
        const name = ctx.params.str('symbol');
        if (name !== undefined) catalog.require(name);
        const rows = await deps.readModel.openOrders(ctx.identity!.userId, name);
        return rows.map((row) => orderJson(row, catalog.require(row.symbol)));
      },
    },
    {
      method: 'DELETE',
      path: '/api/v3/openOrders',
      summary: 'Cancel every open order on a symbol.',
      security: 'TRADE',
      weight: 1,
      response: responseOf('Cancels'),
      params: [symbol],
      handle: async (ctx) => {
        const market = catalog.require(ctx.params.str('symbol')!);
        const userId = ctx.identity!.userId;
        const result = await submit(deps, { type: 'CancelAllOrders', userId, symbol: market.spec.symbol });
        const rejected = firstRejection(result.events);
        if (rejected !== undefined) throw rejectionError(rejected.reason, 'CANCEL');
        const out: Record<string, unknown>[] = [];
        for (const event of result.events) {
          if (event.type !== 'OrderCanceled') continue;
          const row = await orderRow(deps, userId, market, event.orderId);
          out.push(cancelJson(row, market, randomToken(22), result.ts));
        }
        return out;
      },
    },
    {
      method: 'GET',
      path: '/api/v3/allOrders',
      summary: 'All orders of a symbol: open, filled, canceled, expired.',
      security: 'USER_DATA',
      readsProjection: true,
      weight: 20,
      response: responseOf('Orders'),
      params: [
        symbol,
        { ...orderId, description: 'Orders with this id or greater; default the most recent.' },
        { name: 'startTime', type: 'int', min: 0, description: 'Created at or after, ms.' },
        { name: 'endTime', type: 'int', min: 0, description: 'Created at or before, ms.' },
        { name: 'limit', type: 'int', min: 1, max: MAX_LIMIT, description: 'Default 500; at most 1000.' },
      ],
      handle: async (ctx) => {
        const market = catalog.require(ctx.params.str('symbol')!);
        const p = ctx.params;
        const fromOrderId = p.int('orderId');
        const startTime = p.int('startTime');
        const endTime = p.int('endTime');
        if (startTime !== undefined && endTime !== undefined && endTime - startTime > 86_400_000) {
          throw errors.combination('The time between startTime and endTime cannot be longer than 24 hours.');
        }
        const rows = await deps.readModel.orders({
          userId: ctx.identity!.userId,
          symbol: market.spec.symbol,
          limit: p.int('limit') ?? 500,
          ...(fromOrderId !== undefined && { fromOrderId }),
          ...(startTime !== undefined && { startTime }),
          ...(endTime !== undefined && { endTime }),
        });
        return rows.map((row) => orderJson(row, market));
      },
    },
  ];
}

/**
 * Binance's cancelReplace answers: both parts succeed (200), one fails (-2021, 409) or both fail
 * (-2022, 400), the `data` telling each part's result, exactly as Binance reports them.
 */
async function cancelReplace(deps: ApiDeps, ctx: RequestContext): Promise<unknown> {
  const market = deps.catalog.require(ctx.params.str('symbol')!);
  const userId = ctx.identity!.userId;
  const cancel = orderRef(ctx.params, 'cancelOrderId', 'cancelOrigClientOrderId');
  const { order, respType } = parseNewOrder(ctx.params, market, userId);
  const mode = ctx.params.str('cancelReplaceMode') as 'STOP_ON_FAILURE' | 'ALLOW_FAILURE';
  const result = await submit(deps, { type: 'CancelReplace', cancel, mode, order });
  const events = result.events;
  const canceled = events.find(
    (e): e is OrderCanceled => e.type === 'OrderCanceled' && e.reason === 'REPLACE',
  );
  const rejections = events.filter((e): e is Rejected => e.type === 'Rejected');
  const accepted = events.find((e) => e.type === 'OrderAccepted');
  if (canceled === undefined && rejections[0] !== undefined && rejections[0].reason !== 'UNKNOWN_ORDER') {
    // Refused before the cancel was tried (unknown symbol, malformed): a plain error.
    throw rejectionError(rejections[0].reason, 'NEW_ORDER');
  }
  let cancelResponse: Record<string, unknown>;
  if (canceled !== undefined) {
    const row = await orderRow(deps, userId, market, canceled.orderId);
    cancelResponse = cancelJson(
      row,
      market,
      ctx.params.str('cancelNewClientOrderId') ?? randomToken(22),
      result.ts,
    );
  } else {
    cancelResponse = rejectionError('UNKNOWN_ORDER', 'CANCEL').body();
  }
  let newOrderResult: 'SUCCESS' | 'FAILURE' | 'NOT_ATTEMPTED';
  let newResponse: Record<string, unknown> | null;
  const outcome = accepted === undefined ? undefined : orderOutcome(events, accepted.orderId);
  if (outcome !== undefined) {
    newOrderResult = 'SUCCESS';
    newResponse = newOrderResponse(outcome, market, respType);
  } else if (canceled === undefined && mode === 'STOP_ON_FAILURE') {
    newOrderResult = 'NOT_ATTEMPTED';
    newResponse = null;
  } else {
    // The new order's rejection follows the cancel's, if the cancel failed.
    const orderRejection = rejections[canceled !== undefined ? 0 : 1] ?? rejections[0];
    newOrderResult = 'FAILURE';
    newResponse = rejectionError(orderRejection?.reason ?? 'INVALID_COMMAND', 'NEW_ORDER').body();
  }
  const cancelResult = canceled !== undefined ? 'SUCCESS' : 'FAILURE';
  if (cancelResult === 'SUCCESS' && newOrderResult === 'SUCCESS') {
    return { cancelResult, newOrderResult, cancelResponse, newOrderResponse: newResponse };
  }
  const data = { cancelResult, newOrderResult, cancelResponse, newOrderResponse: newResponse };
  if (cancelResult === 'SUCCESS' || newOrderResult === 'SUCCESS') {
    throw new ApiError(
      BinanceCode.CANCEL_REPLACE_PARTIALLY_FAILED,
      'Order cancel-replace partially failed.',
      409,
      data,
    );
  }
  throw new ApiError(BinanceCode.CANCEL_REPLACE_FAILED, 'Order cancel-replace failed.', 400, data);
}
