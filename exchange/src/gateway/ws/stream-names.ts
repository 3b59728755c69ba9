import { isKlineInterval, type KlineInterval } from '../../marketdata/kline-intervals.ts';
import { BINANCE_KLINE_STREAM_ZONE_MS } from '../../marketdata/market-data.ts';

/** A market stream, parsed from Binance's stream name (`btcusdt@depth@100ms`, `!ticker@arr`, ...). */
export type MarketStream =
  | { readonly kind: 'trade' | 'aggTrade' | 'ticker' | 'miniTicker' | 'bookTicker'; readonly symbol: string }
  | { readonly kind: 'depth'; readonly symbol: string; readonly speedMs: 100 | 1000 }
  | {
      readonly kind: 'partialDepth';
      readonly symbol: string;
      readonly levels: 5 | 10 | 20;
      readonly speedMs: 100 | 1000;
    }
  | {
      readonly kind: 'kline';
      readonly symbol: string;
      readonly interval: KlineInterval;
      /** The time zone of the buckets, ms ahead of UTC (`@+08:00`); 0 for UTC. */
      readonly offsetMs: number;
    }
  | { readonly kind: 'allTickers' | 'allMiniTickers' }
  | { readonly kind: 'avgPrice'; readonly symbol: string }
  /** Rolling window tickers: `<symbol>@ticker_<window>`, and every symbol's in `!ticker_<window>@arr`. */
  | { readonly kind: 'windowTicker'; readonly symbol: string; readonly window: TickerWindow }
  | { readonly kind: 'allWindowTickers'; readonly window: TickerWindow };

/** The windows of Binance's rolling window ticker streams, and their lengths. */
export const TICKER_WINDOWS_MS = { '1h': 3_600_000, '4h': 14_400_000, '1d': 86_400_000 } as const;
export type TickerWindow = keyof typeof TICKER_WINDOWS_MS;

function isTickerWindow(text: string): text is TickerWindow {
  return Object.hasOwn(TICKER_WINDOWS_MS, text);
}

/** A kline stream's time zone as Binance writes it (`+08:00`), in ms ahead of UTC. */
function zoneOffsetMs(text: string): number | undefined {
  const match = /^([+-])([0-9]{2}):([0-9]{2})$/.exec(text);
  if (match === null) return undefined;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return (match[1] === '-' ? -minutes : minutes) * 60_000;
}

const SIMPLE = new Set(['trade', 'aggTrade', 'ticker', 'miniTicker', 'bookTicker']);
/** Binance writes symbols in stream names in lower case; the rest of the name is case-sensitive. */
const SYMBOL = /^[a-z0-9]{4,24}$/;

/**
 * Parses a stream name; undefined when the name is not a stream or names an unknown symbol. Symbols
 * come back upper-cased, as the engine spells them. `@depth` without a speed is Binance's 1000 ms
 * stream. Klines take a time zone among `klineZonesMs` (Binance: +08:00 only).
 */
export function parseStreamName(
  name: string,
  isSymbol: (symbol: string) => boolean,
  klineZonesMs: readonly number[] = [BINANCE_KLINE_STREAM_ZONE_MS],
): MarketStream | undefined {
  if (name === '!ticker@arr') return { kind: 'allTickers' };
  if (name === '!miniTicker@arr') return { kind: 'allMiniTickers' };
  const all = /^!ticker_([0-9a-z]+)@arr$/.exec(name);
  if (all !== null) return isTickerWindow(all[1]!) ? { kind: 'allWindowTickers', window: all[1] } : undefined;
  const at = name.indexOf('@');
  if (at < 0) return undefined;
  const lower = name.slice(0, at);
  if (!SYMBOL.test(lower)) return undefined;
  const symbol = lower.toUpperCase();
  if (!isSymbol(symbol)) return undefined;
  const rest = name.slice(at + 1);
  if (SIMPLE.has(rest)) return { kind: rest as 'trade', symbol };
  if (rest === 'avgPrice') return { kind: 'avgPrice', symbol };
  if (rest.startsWith('ticker_')) {
    const window = rest.slice(7);
    return isTickerWindow(window) ? { kind: 'windowTicker', symbol, window } : undefined;
  }
  if (rest === 'depth' || rest === 'depth@1000ms') return { kind: 'depth', symbol, speedMs: 1000 };
  if (rest === 'depth@100ms') return { kind: 'depth', symbol, speedMs: 100 };
  const partial = /^depth(5|10|20)(@100ms|@1000ms)?$/.exec(rest);
  if (partial !== null) {
    const levels = Number(partial[1]) as 5 | 10 | 20;
    return { kind: 'partialDepth', symbol, levels, speedMs: partial[2] === '@100ms' ? 100 : 1000 };
  }
  if (rest.startsWith('kline_')) {
    const [interval, zone, ...more] = rest.slice(6).split('@');
    if (interval === undefined || !isKlineInterval(interval) || more.length > 0) return undefined;
    if (zone === undefined) return { kind: 'kline', symbol, interval, offsetMs: 0 };
    const offsetMs = zoneOffsetMs(zone);
    if (offsetMs === undefined || !klineZonesMs.includes(offsetMs)) return undefined;
    return { kind: 'kline', symbol, interval, offsetMs };
  }
  return undefined;
}
