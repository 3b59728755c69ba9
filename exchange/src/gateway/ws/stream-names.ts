import { isKlineInterval, type KlineInterval } from '../../marketdata/kline-intervals.ts';

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
  | { readonly kind: 'kline'; readonly symbol: string; readonly interval: KlineInterval }
  | { readonly kind: 'allTickers' | 'allMiniTickers' };

const SIMPLE = new Set(['trade', 'aggTrade', 'ticker', 'miniTicker', 'bookTicker']);
/** Binance writes symbols in stream names in lower case; the rest of the name is case-sensitive. */
const SYMBOL = /^[a-z0-9]{4,24}$/;

/**
 * Parses a stream name; undefined when the name is not a stream or names an unknown symbol. Symbols
 * come back upper-cased, as the engine spells them. `@depth` without a speed is Binance's 1000 ms
 * stream.
 */
export function parseStreamName(
  name: string,
  isSymbol: (symbol: string) => boolean,
): MarketStream | undefined {
  if (name === '!ticker@arr') return { kind: 'allTickers' };
  if (name === '!miniTicker@arr') return { kind: 'allMiniTickers' };
  const at = name.indexOf('@');
  if (at < 0) return undefined;
  const lower = name.slice(0, at);
  if (!SYMBOL.test(lower)) return undefined;
  const symbol = lower.toUpperCase();
  if (!isSymbol(symbol)) return undefined;
  const rest = name.slice(at + 1);
  if (SIMPLE.has(rest)) return { kind: rest as 'trade', symbol };
  if (rest === 'depth' || rest === 'depth@1000ms') return { kind: 'depth', symbol, speedMs: 1000 };
  if (rest === 'depth@100ms') return { kind: 'depth', symbol, speedMs: 100 };
  const partial = /^depth(5|10|20)(@100ms|@1000ms)?$/.exec(rest);
  if (partial !== null) {
    const levels = Number(partial[1]) as 5 | 10 | 20;
    return { kind: 'partialDepth', symbol, levels, speedMs: partial[2] === '@100ms' ? 100 : 1000 };
  }
  if (rest.startsWith('kline_')) {
    const interval = rest.slice(6);
    if (isKlineInterval(interval)) return { kind: 'kline', symbol, interval };
  }
  return undefined;
}
