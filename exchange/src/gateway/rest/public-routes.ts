import { ORDER_TYPES, STP_MODES } from '../../domain/market.ts';
import { AVG_PRICE_MINS, notionalFilterOf, TRAILING_DELTA_FILTER } from '../../domain/symbol-filters.ts';
import { minuteWindowStart } from '../../marketdata/rolling-stats.ts';
import { MAX_LIMIT } from '../../storage/read-model-port.ts';
import { errors } from '../binance/api-error.ts';
import { formatMinor } from '../binance/decimal.ts';
import {
  isKlineInterval,
  KLINE_INTERVALS,
  KlineBuckets,
  parseTimeZone,
  queryKlines,
} from '../binance/klines.ts';
import type { CatalogMarket } from '../binance/market-catalog.ts';
import type { ParamSpec, Params } from '../binance/params.ts';
import { parseWindowSize, type WindowStats, windowStats } from '../binance/window-stats.ts';
import { priceChangeJson, publicTradeJson } from '../binance/wire.ts';
import type { ApiDeps } from './api-deps.ts';
import { responseOf } from './response-schemas.ts';
import { RawBody, type Route } from './route.ts';

const symbol: ParamSpec = {
  name: 'symbol',
  type: 'symbol',
  required: true,
  description: 'Symbol, e.g. BTCUSDT.',
};
const optionalSymbol: ParamSpec = { ...symbol, required: false };
const symbols: ParamSpec = {
  name: 'symbols',
  type: 'symbols',
  description: 'JSON array of symbols, e.g. ["BTCUSDT","ETHUSDT"].',
};
const tickerType: ParamSpec = {
  name: 'type',
  type: 'enum',
  values: ['FULL', 'MINI'],
  description: 'Default FULL.',
};
/** Binance's timeZone: a clock `purpose` follows instead of UTC. */
const timeZone = (purpose: string): ParamSpec => ({
  name: 'timeZone',
  type: 'string',
  pattern: /^[+-]?[0-9]{1,2}(:[0-9]{2})?$/,
  description: `${purpose}: hours (8, -1) or hours and minutes (05:45, -1:00), from -12:00 to +14:00. Default 0 (UTC).`,
});
const limit = (fallback: number, max: number): ParamSpec => ({
  name: 'limit',
  type: 'int',
  min: 1,
  max,
  description: `Default ${fallback}; at most ${max}.`,
});
const time = (name: string, description: string): ParamSpec => ({ name, type: 'int', min: 0, description });

/** Binance's depth weights by limit. */
function depthWeight(params: Params): number {
  const n = Number(params.str('limit') ?? 100);
  if (!(n <= 100)) return n <= 500 ? 25 : n <= 1000 ? 50 : 250;
  return 5;
}

/** Weights of the ticker endpoints: one symbol, a list, or every symbol. */
function tickerWeight(single: number, all: number) {
  return (params: Params): number => {
    if (params.has('symbol')) return single;
    const list = params.str('symbols');
    if (list === undefined) return all;
    const count = list.split(',').length;
    return count <= 20 ? single : count <= 100 ? Math.max(single, all / 2) : all;
  };
}

/** The timeZone parameter in milliseconds ahead of UTC; 0 when absent. */
function timeZoneOf(params: Params): number {
  const zone = params.str('timeZone');
  const offset = zone === undefined ? 0 : parseTimeZone(zone);
  if (offset === undefined) {
    throw errors.invalidParameter(
      'timeZone',
      'use an offset from -12:00 to +14:00, such as 8, -1:00 or 05:45',
    );
  }
  return offset;
}

/** 4 per symbol, at most 200, as Binance weighs its rolling-window tickers. */
function windowTickerWeight(params: Params): number {
  const list = params.str('symbols');
  return list === undefined ? 4 : Math.min(200, 4 * list.split(',').length);
}

/** The rolling-window and trading-day tickers of the named symbols (one is required), FULL or MINI. */
async function windowTickers(
  deps: ApiDeps,
  params: Params,
  statsOf: (market: CatalogMarket) => Promise<WindowStats>,
): Promise<unknown> {
  if (!params.has('symbol') && !params.has('symbols')) throw errors.mandatory('symbol');
  const { markets, single } = selectMarkets(deps, params);
  const mini = params.str('type') === 'MINI';
  const rows = [];
  for (const market of markets) rows.push(windowTickerJson(market, await statsOf(market), mini));
  return single ? rows[0] : rows;
}

function windowTickerJson(m: CatalogMarket, s: WindowStats, mini: boolean): Record<string, unknown> {
  const q = m.quoteDecimals;
  const b = m.baseDecimals;
  const common = {
    openPrice: formatMinor(s.open, q),
    highPrice: formatMinor(s.high, q),
    lowPrice: formatMinor(s.low, q),
    lastPrice: formatMinor(s.last, q),
    volume: formatMinor(s.volume, b),
    quoteVolume: formatMinor(s.quoteVolume, q),
    openTime: s.openTime,
    closeTime: s.closeTime,
    firstId: s.firstId,
    lastId: s.lastId,
    count: s.count,
  };
  if (mini) return { symbol: m.spec.symbol, ...common };
  return {
    symbol: m.spec.symbol,
    ...priceChangeJson(m, s.open, s.last, s.volume, s.quoteVolume),
    ...common,
  };
}

/** The markets a ticker request names: one, a list, or all. -1121 for an unknown one. */
function selectMarkets(deps: ApiDeps, params: Params): { markets: CatalogMarket[]; single: boolean } {
  const one = params.str('symbol');
  const many = params.symbols('symbols');
  if (one !== undefined && many !== undefined)
    throw errors.combination("Parameters 'symbol' and 'symbols' cannot both be sent.");
  if (one !== undefined) return { markets: [deps.catalog.require(one)], single: true };
  if (many !== undefined) return { markets: many.map((s) => deps.catalog.require(s)), single: false };
  return { markets: [...deps.catalog.markets()], single: false };
}

export function publicRoutes(deps: ApiDeps): Route[] {
  const { catalog, marketData, readModel } = deps;
  /** klines and uiKlines: Binance serves the same candles under both names. */
  const klinesRoute = (path: string, summary: string): Route => ({
    method: 'GET',
    path,
    summary,
    security: 'NONE',
    readsProjection: true,
    weight: 2,
    response: responseOf('Klines'),
    params: [
      symbol,
      {
        name: 'interval',
        type: 'enum',
        required: true,
        values: KLINE_INTERVALS,
        invalid: errors.badInterval,
        description: 'Kline interval.',
      },
      time('startTime', 'Klines opening at or after, ms.'),
      time('endTime', 'Klines opening at or before, ms.'),
      limit(500, MAX_LIMIT),
      timeZone('Buckets of this clock instead of UTC; startTime, endTime and the times returned stay UTC'),
    ],
    handle: async (ctx) => {
      const market = catalog.require(ctx.params.str('symbol')!);
      const interval = ctx.params.str('interval')!;
      if (!isKlineInterval(interval)) throw errors.badInterval();
      const startTime = ctx.params.int('startTime');
      const endTime = ctx.params.int('endTime');
      const timeZoneMs = timeZoneOf(ctx.params);
      const klines = await queryKlines(readModel, {
        timeZoneMs,
        symbol: market.spec.symbol,
        interval,
        limit: ctx.params.int('limit') ?? 500,
        ...(startTime !== undefined && { startTime }),
        ...(endTime !== undefined && { endTime }),
      });
      const q = market.quoteDecimals;
      const b = market.baseDecimals;
      // Binance's last field is unused ("0") there too.
      return klines.map((k) => [
        k.openTime,
        formatMinor(k.open, q),
        formatMinor(k.high, q),
        formatMinor(k.low, q),
        formatMinor(k.close, q),
        formatMinor(k.volume, b),
        k.closeTime,
        formatMinor(k.quoteVolume, q),
        k.count,
        formatMinor(k.takerBuyVolume, b),
        formatMinor(k.takerBuyQuoteVolume, q),
        '0',
      ]);
    },
  });

  return [
    {
      method: 'GET',
      path: '/api/v3/ping',
      summary: 'Test connectivity.',
      security: 'NONE',
      weight: 1,
      response: responseOf('Empty'),
      params: [],
      handle: () => ({}),
    },
    {
      method: 'GET',
      path: '/api/v3/time',
      summary: 'Server time.',
      security: 'NONE',
      weight: 1,
      response: responseOf('ServerTime'),
      params: [],
      handle: (ctx) => ({ serverTime: ctx.nowMs }),
    },
    {
      method: 'GET',
      path: '/api/v3/exchangeInfo',
      summary: 'Trading rules, symbol filters and rate limits.',
      security: 'NONE',
      weight: 20,
      response: responseOf('ExchangeInfo'),
      params: [
        optionalSymbol,
        symbols,
        { name: 'permissions', type: 'string', description: 'SPOT or ["SPOT"]; every market here is spot.' },
        { name: 'showPermissionSets', type: 'boolean', description: 'Include permissionSets. Default true.' },
        {
          name: 'symbolStatus',
          type: 'enum',
          values: ['TRADING', 'HALT', 'BREAK'],
          description: 'Only symbols with this status.',
        },
      ],
      handle: (ctx) => {
        const { markets } = selectMarkets(deps, ctx.params);
        const status = ctx.params.str('symbolStatus');
        const showSets = ctx.params.bool('showPermissionSets') ?? true;
        return {
          timezone: 'UTC',
          serverTime: ctx.nowMs,
          rateLimits: deps.limiter.published(),
          exchangeFilters: [],
          symbols: markets
            .map((m) => symbolInfo(m, showSets))
            .filter((s) => status === undefined || s.status === status),
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v3/depth',
      summary: 'Order book.',
      security: 'NONE',
      weight: depthWeight,
      response: responseOf('Depth'),
      params: [symbol, limit(100, 5000)],
      handle: (ctx) => {
        const market = catalog.require(ctx.params.str('symbol')!);
        const text = deps.depthCache.get(market, ctx.params.int('limit') ?? 100);
        if (text === undefined) throw errors.badSymbol();
        return new RawBody(text);
      },
    },
    {
      method: 'GET',
      path: '/api/v3/trades',
      summary: 'Recent trades.',
      security: 'NONE',
      readsProjection: true,
      weight: 25,
      response: responseOf('PublicTrades'),
      params: [symbol, limit(500, MAX_LIMIT)],
      handle: async (ctx) => {
        const market = catalog.require(ctx.params.str('symbol')!);
        const rows = await readModel.recentTrades(market.spec.symbol, ctx.params.int('limit') ?? 500);
        return rows.map((t) => publicTradeJson(t, market));
      },
    },
    {
      method: 'GET',
      path: '/api/v3/historicalTrades',
      // Binance made it NONE in July 2023: an X-MBX-APIKEY header is ignored, whatever it holds.
      summary: 'Older trades, from a trade id.',
      security: 'NONE',
      readsProjection: true,
      weight: 25,
      response: responseOf('PublicTrades'),
      params: [
        symbol,
        limit(500, MAX_LIMIT),
        {
          name: 'fromId',
          type: 'int',
          min: 0,
          description: 'Trade id to start from. Default: the most recent trades.',
        },
      ],
      handle: async (ctx) => {
        const market = catalog.require(ctx.params.str('symbol')!);
        const n = ctx.params.int('limit') ?? 500;
        const fromId = ctx.params.int('fromId');
        const rows =
          fromId === undefined
            ? await readModel.recentTrades(market.spec.symbol, n)
            : await readModel.trades({ symbol: market.spec.symbol, fromId, limit: n });
        return rows.map((t) => publicTradeJson(t, market));
      },
    },
    {
      method: 'GET',
      path: '/api/v3/aggTrades',
      summary: 'Compressed, aggregate trades.',
      security: 'NONE',
      weight: 4,
      response: responseOf('AggTrades'),
      params: [
        symbol,
        { name: 'fromId', type: 'int', min: 0, description: 'Aggregate trade id to start from.' },
        time('startTime', 'From this time, ms.'),
        time('endTime', 'Up to this time, ms.'),
        limit(500, MAX_LIMIT),
      ],
      handle: (ctx) => {
        const market = catalog.require(ctx.params.str('symbol')!);
        const p = ctx.params;
        const startTime = p.int('startTime');
        const endTime = p.int('endTime');
        const fromId = p.int('fromId');
        if (fromId !== undefined && (startTime !== undefined || endTime !== undefined)) {
          throw errors.combination('fromId cannot be sent with startTime or endTime.');
        }
        const rows = marketData.aggTrades({
          symbol: market.spec.symbol,
          limit: p.int('limit') ?? 500,
          ...(fromId !== undefined && { fromId }),
          ...(startTime !== undefined && { startTime }),
          ...(endTime !== undefined && { endTime }),
        });
        return rows.map((a) => ({
          a: a.aggId,
          p: formatMinor(a.price, market.quoteDecimals),
          q: formatMinor(a.quantity, market.baseDecimals),
          f: a.firstTradeId,
          l: a.lastTradeId,
          T: a.time,
          m: a.buyerIsMaker,
          M: true,
        }));
      },
    },
    klinesRoute('/api/v3/klines', `Candlesticks; intervals ${KLINE_INTERVALS.join(', ')}.`),
    klinesRoute('/api/v3/uiKlines', 'Candlesticks for presentation: the same as klines here.'),
    {
      method: 'GET',
      path: '/api/v3/avgPrice',
      summary: 'Volume-weighted average price of the last 5 minutes.',
      security: 'NONE',
      weight: 2,
      response: responseOf('AvgPrice'),
      params: [symbol],
      handle: (ctx) => {
        const market = catalog.require(ctx.params.str('symbol')!);
        const avg = marketData.averagePrice(market.spec.symbol, ctx.nowMs, AVG_PRICE_MINS);
        return {
          mins: AVG_PRICE_MINS,
          price: formatMinor(avg?.price ?? 0, market.quoteDecimals),
          closeTime: avg?.closeTime ?? ctx.nowMs,
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v3/ticker/24hr',
      summary: '24-hour rolling window statistics.',
      security: 'NONE',
      weight: tickerWeight(2, 80),
      response: responseOf('Ticker24h'),
      params: [optionalSymbol, symbols, tickerType],
      handle: (ctx) => {
        const { markets, single } = selectMarkets(deps, ctx.params);
        const mini = ctx.params.str('type') === 'MINI';
        const rows = markets.map((m) => ticker24h(deps, m, ctx.nowMs, mini));
        return single ? rows[0] : rows;
      },
    },
    {
      method: 'GET',
      path: '/api/v3/ticker',
      summary:
        'Rolling window statistics over windowSize (1m to 59m, 1h to 23h, 1d to 7d), from the start of a minute until now.',
      security: 'NONE',
      readsProjection: true,
      weight: windowTickerWeight,
      response: responseOf('WindowTicker'),
      params: [
        optionalSymbol,
        symbols,
        { name: 'windowSize', type: 'string', pattern: /^[0-9]{1,2}[mhd]$/, description: 'Default 1d.' },
        tickerType,
      ],
      handle: async (ctx) => {
        const windowMs = parseWindowSize(ctx.params.str('windowSize') ?? '1d');
        if (windowMs === undefined) {
          throw errors.invalidParameter('windowSize', 'use 1m to 59m, 1h to 23h or 1d to 7d');
        }
        const from = minuteWindowStart(ctx.nowMs, windowMs);
        return windowTickers(deps, ctx.params, (m) => windowStats(readModel, m.spec.symbol, from, ctx.nowMs));
      },
    },
    {
      method: 'GET',
      path: '/api/v3/ticker/tradingDay',
      summary: "Statistics of the current trading day, in the timeZone's calendar.",
      security: 'NONE',
      readsProjection: true,
      weight: windowTickerWeight,
      response: responseOf('WindowTicker'),
      params: [optionalSymbol, symbols, timeZone('The day of this clock'), tickerType],
      handle: async (ctx) => {
        const offset = timeZoneOf(ctx.params);
        const day = new KlineBuckets('1d', offset);
        const from = day.open(ctx.nowMs);
        return windowTickers(deps, ctx.params, (m) =>
          windowStats(readModel, m.spec.symbol, from, day.next(from) - 1),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/v3/ticker/price',
      summary: 'Latest price.',
      security: 'NONE',
      weight: tickerWeight(2, 4),
      response: responseOf('PriceTicker'),
      params: [optionalSymbol, symbols],
      handle: (ctx) => {
        const { markets, single } = selectMarkets(deps, ctx.params);
        const rows = markets.map((m) => ({
          symbol: m.spec.symbol,
          price: formatMinor(marketData.ticker24h(m.spec.symbol, ctx.nowMs)?.lastPrice ?? 0, m.quoteDecimals),
        }));
        return single ? rows[0] : rows;
      },
    },
    {
      method: 'GET',
      path: '/api/v3/ticker/bookTicker',
      summary: 'Best bid and ask.',
      security: 'NONE',
      weight: tickerWeight(2, 4),
      response: responseOf('BookTicker'),
      params: [optionalSymbol, symbols],
      handle: (ctx) => {
        const { markets, single } = selectMarkets(deps, ctx.params);
        const rows = markets.map((m) => {
          const t = marketData.bookTicker(m.spec.symbol);
          return {
            symbol: m.spec.symbol,
            bidPrice: formatMinor(t?.bidPrice ?? 0, m.quoteDecimals),
            bidQty: formatMinor(t?.bidQty ?? 0, m.baseDecimals),
            askPrice: formatMinor(t?.askPrice ?? 0, m.quoteDecimals),
            askQty: formatMinor(t?.askQty ?? 0, m.baseDecimals),
          };
        });
        return single ? rows[0] : rows;
      },
    },
  ];
}

function ticker24h(deps: ApiDeps, m: CatalogMarket, nowMs: number, mini: boolean): Record<string, unknown> {
  const symbol = m.spec.symbol;
  const q = m.quoteDecimals;
  const b = m.baseDecimals;
  const t = deps.marketData.ticker24h(symbol, nowMs);
  const open = t?.openPrice ?? 0;
  const last = t?.lastPrice ?? 0;
  const volume = t?.volume ?? 0;
  const quoteVolume = t?.quoteVolume ?? 0;
  const common = {
    symbol,
    openPrice: formatMinor(open, q),
    highPrice: formatMinor(t?.highPrice ?? 0, q),
    lowPrice: formatMinor(t?.lowPrice ?? 0, q),
    lastPrice: formatMinor(last, q),
    volume: formatMinor(volume, b),
    quoteVolume: formatMinor(quoteVolume, q),
    openTime: t?.openTime ?? nowMs - 86_400_000,
    closeTime: t?.closeTime ?? nowMs,
    firstId: t?.firstId ?? -1,
    lastId: t?.lastId ?? -1,
    count: t?.count ?? 0,
  };
  if (mini) return common;
  const book = deps.marketData.bookTicker(symbol);
  return {
    symbol,
    ...priceChangeJson(m, open, last, volume, quoteVolume),
    prevClosePrice: formatMinor(t?.prevClosePrice ?? 0, q),
    lastPrice: common.lastPrice,
    lastQty: formatMinor(t?.lastQty ?? 0, b),
    bidPrice: formatMinor(book?.bidPrice ?? 0, q),
    bidQty: formatMinor(book?.bidQty ?? 0, b),
    askPrice: formatMinor(book?.askPrice ?? 0, q),
    askQty: formatMinor(book?.askQty ?? 0, b),
    openPrice: common.openPrice,
    highPrice: common.highPrice,
    lowPrice: common.lowPrice,
    volume: common.volume,
    quoteVolume: common.quoteVolume,
    openTime: common.openTime,
    closeTime: common.closeTime,
    firstId: common.firstId,
    lastId: common.lastId,
    count: common.count,
  };
}

function symbolInfo(
  m: CatalogMarket,
  showPermissionSets: boolean,
): Record<string, unknown> & { status: string } {
  const { spec, baseDecimals: b, quoteDecimals: q } = m;
  // The same definition the engine checks every order against.
  const notional = notionalFilterOf(spec);
  return {
    symbol: spec.symbol,
    status: m.status === 'TRADING' ? 'TRADING' : 'HALT',
    baseAsset: spec.base,
    baseAssetPrecision: b,
    quoteAsset: spec.quote,
    quotePrecision: q,
    quoteAssetPrecision: q,
    baseCommissionPrecision: b,
    quoteCommissionPrecision: q,
    orderTypes: ORDER_TYPES,
    icebergAllowed: false,
    ocoAllowed: false,
    otoAllowed: false,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    amendAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      {
        filterType: 'PRICE_FILTER',
        minPrice: formatMinor(spec.tickSize, q),
        maxPrice: formatMinor(0, q),
        tickSize: formatMinor(spec.tickSize, q),
      },
      {
        filterType: 'LOT_SIZE',
        minQty: formatMinor(spec.minQty, b),
        maxQty: formatMinor(spec.maxQty, b),
        stepSize: formatMinor(spec.lotSize, b),
      },
      {
        filterType: 'MARKET_LOT_SIZE',
        minQty: formatMinor(spec.minQty, b),
        maxQty: formatMinor(spec.maxQty, b),
        stepSize: formatMinor(spec.lotSize, b),
      },
      {
        filterType: 'MIN_NOTIONAL',
        minNotional: formatMinor(notional.minNotional, q),
        applyToMarket: notional.applyMinToMarket,
        avgPriceMins: notional.avgPriceMins,
      },
      {
        filterType: 'NOTIONAL',
        minNotional: formatMinor(notional.minNotional, q),
        applyMinToMarket: notional.applyMinToMarket,
        maxNotional: formatMinor(notional.maxNotional, q),
        applyMaxToMarket: notional.applyMaxToMarket,
        avgPriceMins: notional.avgPriceMins,
      },
      { filterType: 'TRAILING_DELTA', ...TRAILING_DELTA_FILTER },
    ],
    permissions: [],
    ...(showPermissionSets && { permissionSets: [['SPOT']] }),
    defaultSelfTradePreventionMode: spec.defaultStpMode,
    allowedSelfTradePreventionModes: STP_MODES,
  };
}
