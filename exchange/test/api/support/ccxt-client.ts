import ccxt from 'ccxt';
import { pointCcxtAtBourse } from '../../../src/clients/ccxt-recipe.ts';
import type { ApiKey } from './api-harness.ts';

/**
 * ccxt's unmodified binance classes pointed at Bourse by the README's recipe (src/clients/ccxt-recipe.ts),
 * and watched: every request and WebSocket ccxt opens is checked against Bourse's host. One that
 * would leave is refused before it is sent and recorded in `offHost`, which the tests assert empty.
 */
export const offHost: string[] = [];

function settings(key: ApiKey) {
  return {
    apiKey: key.apiKey,
    secret: key.secretKey,
    enableRateLimit: false,
    options: { adjustForTimeDifference: false },
  };
}

/** Refuses and records any URL off `baseUrl`'s host; the same origin over ws(s) is Bourse's too. */
function guard(url: string, baseUrl: string): void {
  if (new URL(url).host !== new URL(baseUrl).host) {
    offHost.push(url);
    throw new Error(`ccxt tried to reach ${url}, which is not Bourse (${baseUrl})`);
  }
}

export function binanceAt(baseUrl: string, key: ApiKey) {
  const exchange = pointCcxtAtBourse(new ccxt.binance(settings(key)), baseUrl);
  const fetch = exchange.fetch.bind(exchange);
  exchange.fetch = (url: string, ...rest: unknown[]) => {
    guard(url, baseUrl);
    return (fetch as (...args: unknown[]) => Promise<unknown>)(url, ...rest);
  };
  return exchange;
}

/** ccxt.pro, with the market streams and the WebSocket API at Bourse too. */
export function proAt(baseUrl: string, key: ApiKey) {
  const exchange = pointCcxtAtBourse(new ccxt.pro.binance(settings(key)), baseUrl);
  const fetch = exchange.fetch.bind(exchange);
  exchange.fetch = (url: string, ...rest: unknown[]) => {
    guard(url, baseUrl);
    return (fetch as (...args: unknown[]) => Promise<unknown>)(url, ...rest);
  };
  const client = exchange.client.bind(exchange);
  exchange.client = (url: string) => {
    guard(url, baseUrl);
    return client(url);
  };
  return exchange;
}

/** Every URL string in a tree of URLs (ccxt's urls.api), with its name. */
export function urlEntries(tree: unknown, prefix = ''): [string, string][] {
  if (typeof tree === 'string') return [[prefix, tree]];
  if (typeof tree !== 'object' || tree === null) return [];
  return Object.entries(tree).flatMap(([name, value]) =>
    urlEntries(value, prefix === '' ? name : `${prefix}.${name}`),
  );
}
