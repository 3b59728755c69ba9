import ccxt from 'ccxt';
import type { ApiKey } from './api-harness.ts';

/**
 * ccxt's unmodified binance classes pointed at Bourse: only the base URLs change, plus the options
 * that switch off what Bourse does not serve (futures markets, margin pairs, the sapi currencies call).
 */
function settings(key: ApiKey) {
  return {
    apiKey: key.apiKey,
    secret: key.secretKey,
    enableRateLimit: false,
    options: {
      fetchMarkets: { types: ['spot'] },
      fetchCurrencies: false,
      fetchMargins: false,
      adjustForTimeDifference: false,
    },
  };
}

function pointRestAt(urls: { api: unknown }, baseUrl: string): Record<string, unknown> {
  const api = urls.api as Record<string, unknown>;
  api.public = `${baseUrl}/api/v3`;
  api.private = `${baseUrl}/api/v3`;
  api.v1 = `${baseUrl}/api/v1`;
  return api;
}

export function binanceAt(baseUrl: string, key: ApiKey) {
  const exchange = new ccxt.binance(settings(key));
  pointRestAt(exchange.urls, baseUrl);
  return exchange;
}

/** ccxt.pro, with the market streams and the WebSocket API at Bourse too. */
export function proAt(baseUrl: string, key: ApiKey) {
  const exchange = new ccxt.pro.binance(settings(key));
  const api = pointRestAt(exchange.urls, baseUrl);
  const wsBase = baseUrl.replace(/^http/, 'ws');
  const ws = api.ws as Record<string, unknown>;
  ws.spot = `${wsBase}/ws`;
  ws.margin = `${wsBase}/ws`;
  (ws['ws-api'] as Record<string, string>).spot = `${wsBase}/ws-api/v3`;
  return exchange;
}
