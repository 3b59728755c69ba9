/**
 * The ccxt recipe of the README: a ccxt `binance` (or `pro.binance`) instance pointed at Bourse.
 *
 * Every URL in ccxt's `urls.api` (and in `urls.test` and `urls.demo`, which sandbox and demo mode swap
 * in) keeps its path and moves to Bourse's host: `https://api.binance.com/sapi/v1` becomes
 * `<base>/sapi/v1`, `wss://stream.binance.com:9443/ws` becomes `<ws base>/ws`. Whatever a ccxt call
 * asks for then reaches Bourse, which serves /api/v3, /ws, /stream and /ws-api/v3 and answers every
 * other path with 404 and Binance's -1020 ("not supported"): nothing leaves for Binance, signed or not.
 *
 * The options switch off what Bourse does not serve and ccxt would otherwise call on its own in
 * loadMarkets (futures markets, margin pairs, the wallet's currency list).
 *
 * It imports nothing, ccxt included, so a client copies it as it is.
 */
type UrlTree = { [name: string]: unknown };

export function pointCcxtAtBourse<T extends { urls: UrlTree; options: UrlTree }>(
  exchange: T,
  baseUrl: string,
): T {
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/$/, '');
  const protocols: Record<string, string> = {
    'http:': base.protocol,
    'https:': base.protocol,
    'ws:': base.protocol === 'https:' ? 'wss:' : 'ws:',
    'wss:': base.protocol === 'https:' ? 'wss:' : 'ws:',
  };
  const rewrite = (tree: UrlTree): void => {
    for (const [name, value] of Object.entries(tree)) {
      if (typeof value === 'object' && value !== null) rewrite(value as UrlTree);
      else if (typeof value === 'string' && URL.canParse(value)) {
        const url = new URL(value);
        const protocol = protocols[url.protocol];
        if (protocol !== undefined) tree[name] = `${protocol}//${base.host}${prefix}${url.pathname}`;
      }
    }
  };
  for (const set of ['api', 'test', 'demo']) {
    const tree = exchange.urls[set];
    if (typeof tree === 'object' && tree !== null) rewrite(tree as UrlTree);
  }
  Object.assign(exchange.options, {
    fetchMarkets: { ...(exchange.options.fetchMarkets as object), types: ['spot'] },
    fetchCurrencies: false,
    fetchMargins: false,
  });
  return exchange;
}
