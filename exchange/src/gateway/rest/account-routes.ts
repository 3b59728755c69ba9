import { MAX_LIMIT } from '../../storage/read-model-port.ts';
import { errors } from '../binance/api-error.ts';
import { formatMinor } from '../binance/decimal.ts';
import type { ParamSpec } from '../binance/params.ts';
import { commissionRates, NO_COMMISSION, NO_DISCOUNT, userTradeJson } from '../binance/wire.ts';
import type { ApiDeps } from './api-deps.ts';
import { responseOf } from './response-schemas.ts';
import type { Route } from './route.ts';

const listenKey: ParamSpec = {
  name: 'listenKey',
  type: 'string',
  required: true,
  pattern: /^[A-Za-z0-9]{1,80}$/,
  description: 'The key POST returned.',
};

export function accountRoutes(deps: ApiDeps): Route[] {
  const { catalog, readModel } = deps;
  return [
    {
      method: 'GET',
      path: '/api/v3/account/commission',
      summary: "The account's commission rates on a symbol.",
      security: 'USER_DATA',
      weight: 20,
      response: responseOf('Commission'),
      params: [{ name: 'symbol', type: 'symbol', required: true, description: 'Symbol, e.g. BTCUSDT.' }],
      handle: (ctx) => {
        const { spec } = catalog.require(ctx.params.str('symbol')!);
        return {
          symbol: spec.symbol,
          standardCommission: commissionRates(spec.makerFeePpm, spec.takerFeePpm),
          specialCommission: NO_COMMISSION,
          taxCommission: NO_COMMISSION,
          discount: NO_DISCOUNT,
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v3/rateLimit/order',
      summary: "The account's order limits and how much of each it has used.",
      security: 'USER_DATA',
      weight: 40,
      response: responseOf('OrderRateLimits'),
      params: [],
      handle: (ctx) => deps.limiter.orderUsage(ctx.identity!.userId, ctx.nowMs),
    },
    {
      method: 'GET',
      path: '/api/v3/account',
      summary: 'Balances and account information.',
      security: 'USER_DATA',
      readsProjection: true,
      weight: 20,
      response: responseOf('Account'),
      params: [
        { name: 'omitZeroBalances', type: 'boolean', description: 'Leave out zero balances. Default false.' },
      ],
      handle: async (ctx) => {
        const identity = ctx.identity!;
        const rows = await readModel.balances(identity.userId);
        const held = new Map(rows.map((r) => [r.asset, r]));
        const omitZero = ctx.params.bool('omitZeroBalances') === true;
        const balances = [];
        for (const [asset, decimals] of catalog.assets()) {
          const row = held.get(asset);
          const free = row?.available ?? 0;
          const locked = row?.locked ?? 0;
          if (omitZero && free === 0 && locked === 0) continue;
          balances.push({ asset, free: formatMinor(free, decimals), locked: formatMinor(locked, decimals) });
        }
        // Fees are per market; the account reports the highest, as a client budgeting fees would want.
        let maker = 0;
        let taker = 0;
        for (const m of catalog.markets()) {
          maker = Math.max(maker, m.spec.makerFeePpm);
          taker = Math.max(taker, m.spec.takerFeePpm);
        }
        const canTrade = identity.permissions.includes('TRADE');
        return {
          makerCommission: Math.round(maker / 100),
          takerCommission: Math.round(taker / 100),
          buyerCommission: 0,
          sellerCommission: 0,
          commissionRates: commissionRates(maker, taker),
          canTrade,
          canWithdraw: false,
          canDeposit: false,
          brokered: false,
          requireSelfTradePrevention: false,
          preventSor: false,
          updateTime: rows.reduce((max, r) => Math.max(max, r.seq), 0) === 0 ? 0 : ctx.nowMs,
          accountType: 'SPOT',
          balances,
          permissions: ['SPOT'],
          uid: identity.userId,
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v3/myTrades',
      summary: "The account's trades on a symbol.",
      security: 'USER_DATA',
      readsProjection: true,
      weight: (params) => (params.has('orderId') ? 5 : 20),
      response: responseOf('MyTrades'),
      params: [
        { name: 'symbol', type: 'symbol', required: true, description: 'Symbol, e.g. BTCUSDT.' },
        { name: 'orderId', type: 'int', min: 1, description: "Only this order's trades; needs symbol." },
        { name: 'startTime', type: 'int', min: 0, description: 'At or after, ms.' },
        { name: 'endTime', type: 'int', min: 0, description: 'At or before, ms.' },
        {
          name: 'fromId',
          type: 'int',
          min: 0,
          description: 'Trades with this id or greater; default the most recent.',
        },
        { name: 'limit', type: 'int', min: 1, max: MAX_LIMIT, description: 'Default 500; at most 1000.' },
      ],
      handle: async (ctx) => {
        const market = catalog.require(ctx.params.str('symbol')!);
        const p = ctx.params;
        const orderId = p.int('orderId');
        const fromId = p.int('fromId');
        const startTime = p.int('startTime');
        const endTime = p.int('endTime');
        if (fromId !== undefined && (startTime !== undefined || endTime !== undefined)) {
          throw errors.combination('fromId cannot be sent with startTime or endTime.');
        }
        if (startTime !== undefined && endTime !== undefined && endTime - startTime > 86_400_000) {
          throw errors.combination('The time between startTime and endTime cannot be longer than 24 hours.');
        }
        const rows = await readModel.userTrades({
          userId: ctx.identity!.userId,
          symbol: market.spec.symbol,
          limit: p.int('limit') ?? 500,
          ...(orderId !== undefined && { orderId }),
          ...(fromId !== undefined && { fromId }),
          ...(startTime !== undefined && { startTime }),
          ...(endTime !== undefined && { endTime }),
        });
        return rows.map((t) => userTradeJson(t, market));
      },
    },
    {
      method: 'POST',
      path: '/api/v3/userDataStream',
      summary: 'Start a user data stream: a listen key valid for 60 minutes.',
      security: 'USER_STREAM',
      weight: 2,
      response: responseOf('ListenKey'),
      params: [],
      handle: (ctx) => ({ listenKey: deps.listenKeys.create(ctx.identity!.userId, ctx.identity!.apiKey) }),
    },
    {
      method: 'PUT',
      path: '/api/v3/userDataStream',
      summary: 'Keep a user data stream alive for 60 more minutes.',
      security: 'USER_STREAM',
      weight: 2,
      response: responseOf('Empty'),
      params: [listenKey],
      handle: (ctx) => {
        const key = ctx.params.str('listenKey')!;
        // A key is only its owner's to extend or close.
        if (!deps.listenKeys.keepalive(key, ctx.identity!.userId)) {
          throw errors.invalidListenKey();
        }
        return {};
      },
    },
    {
      method: 'DELETE',
      path: '/api/v3/userDataStream',
      summary: 'Close a user data stream.',
      security: 'USER_STREAM',
      weight: 2,
      response: responseOf('Empty'),
      params: [listenKey],
      handle: (ctx) => {
        const key = ctx.params.str('listenKey')!;
        if (!deps.listenKeys.close(key, ctx.identity!.userId)) {
          throw errors.invalidListenKey();
        }
        return {};
      },
    },
  ];
}
