import type { Amount } from '../../domain/amount.ts';
import type { Trade } from '../../domain/events.ts';
import type { Kline } from '../../marketdata/klines.ts';
import type { MarketInfo } from '../../marketdata/market-data.ts';
import type {
  AggTrade,
  BookTicker,
  DepthSnapshot,
  PriceLevelRow,
  Ticker24h,
  WindowTicker,
} from '../../marketdata/market-data-view.ts';
import { formatMinor } from '../binance/decimal.ts';
import { priceChangeJson } from '../binance/wire.ts';

/** Binance's stream payloads, amounts as decimal strings in each asset's precision. */

type Rows = [string, string][];

export function levelRows(rows: readonly PriceLevelRow[], market: MarketInfo): Rows {
  const out: Rows = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const [price, quantity] = rows[i]!;
    out[i] = [formatMinor(price, market.quoteDecimals), formatMinor(quantity, market.baseDecimals)];
  }
  return out;
}

export function depthUpdatePayload(
  market: MarketInfo,
  eventTime: number,
  firstUpdateId: number,
  finalUpdateId: number,
  bids: readonly PriceLevelRow[],
  asks: readonly PriceLevelRow[],
): Record<string, unknown> {
  return {
    e: 'depthUpdate',
    E: eventTime,
    s: market.spec.symbol,
    U: firstUpdateId,
    u: finalUpdateId,
    b: levelRows(bids, market),
    a: levelRows(asks, market),
  };
}

export function partialDepthPayload(market: MarketInfo, depth: DepthSnapshot): Record<string, unknown> {
  return {
    lastUpdateId: depth.lastUpdateId,
    bids: levelRows(depth.bids, market),
    asks: levelRows(depth.asks, market),
  };
}

export function tradePayload(market: MarketInfo, trade: Trade, eventTime: number): Record<string, unknown> {
  return {
    e: 'trade',
    E: eventTime,
    s: trade.symbol,
    t: trade.tradeId,
    p: formatMinor(trade.price, market.quoteDecimals),
    q: formatMinor(trade.quantity, market.baseDecimals),
    T: trade.ts,
    m: trade.takerSide === 'SELL',
    M: true,
  };
}

export function aggTradePayload(
  market: MarketInfo,
  agg: AggTrade,
  eventTime: number,
): Record<string, unknown> {
  return {
    e: 'aggTrade',
    E: eventTime,
    s: agg.symbol,
    a: agg.aggId,
    p: formatMinor(agg.price, market.quoteDecimals),
    q: formatMinor(agg.quantity, market.baseDecimals),
    f: agg.firstTradeId,
    l: agg.lastTradeId,
    T: agg.time,
    m: agg.buyerIsMaker,
    M: true,
  };
}

export function bookTickerPayload(market: MarketInfo, top: BookTicker): Record<string, unknown> {
  return {
    u: top.updateId,
    s: top.symbol,
    b: formatMinor(top.bidPrice, market.quoteDecimals),
    B: formatMinor(top.bidQty, market.baseDecimals),
    a: formatMinor(top.askPrice, market.quoteDecimals),
    A: formatMinor(top.askQty, market.baseDecimals),
  };
}

export function miniTickerPayload(
  market: MarketInfo,
  t: Ticker24h,
  eventTime: number,
): Record<string, unknown> {
  const price = (v: Amount) => formatMinor(v, market.quoteDecimals);
  return {
    e: '24hrMiniTicker',
    E: eventTime,
    s: t.symbol,
    c: price(t.lastPrice),
    o: price(t.openPrice),
    h: price(t.highPrice),
    l: price(t.lowPrice),
    v: formatMinor(t.volume, market.baseDecimals),
    q: price(t.quoteVolume),
  };
}

export function tickerPayload(
  market: MarketInfo,
  t: Ticker24h,
  top: BookTicker,
  eventTime: number,
): Record<string, unknown> {
  const price = (v: Amount) => formatMinor(v, market.quoteDecimals);
  const qty = (v: Amount) => formatMinor(v, market.baseDecimals);
  const change = priceChangeJson(market, t.openPrice, t.lastPrice, t.volume, t.quoteVolume);
  return {
    e: '24hrTicker',
    E: eventTime,
    s: t.symbol,
    p: change.priceChange,
    P: change.priceChangePercent,
    w: change.weightedAvgPrice,
    x: price(t.prevClosePrice),
    c: price(t.lastPrice),
    Q: qty(t.lastQty),
    b: price(top.bidPrice),
    B: qty(top.bidQty),
    a: price(top.askPrice),
    A: qty(top.askQty),
    o: price(t.openPrice),
    h: price(t.highPrice),
    l: price(t.lowPrice),
    v: qty(t.volume),
    q: price(t.quoteVolume),
    O: t.openTime,
    C: t.closeTime,
    F: t.firstId,
    L: t.lastId,
    n: t.count,
  };
}

/** `<symbol>@ticker_<window>`: Binance's rolling window ticker, e "1hTicker", "4hTicker" or "1dTicker". */
export function windowTickerPayload(
  market: MarketInfo,
  window: string,
  t: WindowTicker,
  eventTime: number,
): Record<string, unknown> {
  const price = (v: Amount) => formatMinor(v, market.quoteDecimals);
  const change = priceChangeJson(market, t.open, t.last, t.volume, t.quoteVolume);
  return {
    e: `${window}Ticker`,
    E: eventTime,
    s: t.symbol,
    p: change.priceChange,
    P: change.priceChangePercent,
    o: price(t.open),
    h: price(t.high),
    l: price(t.low),
    c: price(t.last),
    w: change.weightedAvgPrice,
    v: formatMinor(t.volume, market.baseDecimals),
    q: price(t.quoteVolume),
    O: t.openTime,
    C: t.closeTime,
    F: t.firstId,
    L: t.lastId,
    n: t.count,
  };
}

/** `<symbol>@avgPrice`: the average price over `minutes`, and the time of the last trade in it. */
export function averagePricePayload(
  market: MarketInfo,
  minutes: number,
  average: { readonly price: Amount; readonly closeTime: number },
  eventTime: number,
): Record<string, unknown> {
  return {
    e: 'avgPrice',
    E: eventTime,
    s: market.spec.symbol,
    i: `${minutes}m`,
    w: formatMinor(average.price, market.quoteDecimals),
    T: average.closeTime,
  };
}

export function klinePayload(
  market: MarketInfo,
  k: Readonly<Kline>,
  closed: boolean,
  eventTime: number,
): Record<string, unknown> {
  const price = (v: Amount) => formatMinor(v, market.quoteDecimals);
  const qty = (v: Amount) => formatMinor(v, market.baseDecimals);
  return {
    e: 'kline',
    E: eventTime,
    s: k.symbol,
    k: {
      t: k.openTime,
      T: k.closeTime,
      s: k.symbol,
      i: k.interval,
      f: k.firstTradeId,
      L: k.lastTradeId,
      o: price(k.open),
      c: price(k.close),
      h: price(k.high),
      l: price(k.low),
      v: qty(k.volume),
      n: k.count,
      x: closed,
      q: price(k.quoteVolume),
      V: qty(k.takerBuyVolume),
      Q: price(k.takerBuyQuoteVolume),
      B: '0',
    },
  };
}
