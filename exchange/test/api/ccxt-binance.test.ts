import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ccxt from 'ccxt';
import { pointCcxtAtBourse } from '../../src/clients/ccxt-recipe.ts';
import { ApiHarness, type ApiKey } from './support/api-harness.ts';
import { binanceAt, offHost, urlEntries } from './support/ccxt-client.ts';

/** ccxt's unmodified `binance` class against Bourse, by URL override only (support/ccxt-client.ts). */

/** Decimal string of minor units, for comparing ccxt's floats with the ledger. */
const units = (minor: number, decimals: number) => minor / 10 ** decimals;

describe('ccxt binance against Bourse', () => {
  let api: ApiHarness;
  let alice: ApiKey;
  let client: ReturnType<typeof binanceAt>;
  let maker: ReturnType<typeof binanceAt>;

  before(async () => {
    api = await ApiHarness.start();
    alice = await api.user('ccxt-alice', ['READ', 'TRADE'], { USDT: '100000', BTC: '1' });
    const bob = await api.user('ccxt-bob', ['READ', 'TRADE'], { USDT: '100000', BTC: '5' });
    client = binanceAt(api.server.baseUrl, alice);
    maker = binanceAt(api.server.baseUrl, bob);
  });
  after(async () => {
    await api.close();
    // Every request of every test here went to Bourse: the recipe points all of ccxt at it.
    assert.deepEqual(offHost, []);
  });

  it('loadMarkets and fetchTime', async () => {
    const markets = await client.loadMarkets();
    assert.deepEqual(Object.keys(markets).sort(), ['BTC/USDT', 'ETH/BTC', 'ETH/USDT']);
    const btc = markets['BTC/USDT']!;
    assert.equal(btc.precision.price, 0.01);
    assert.equal(btc.precision.amount, 0.0001);
    assert.equal(btc.limits.cost?.min, 5);
    await maker.loadMarkets();
    const time = await client.fetchTime();
    assert.ok(Math.abs((time ?? 0) - Date.now()) < 60_000);
  });

  it('fetchOrderBook, fetchTicker, fetchTickers, fetchTrades, fetchOHLCV on a live book', async () => {
    await maker.createOrder('BTC/USDT', 'limit', 'sell', 0.5, 60_000);
    await maker.createOrder('BTC/USDT', 'limit', 'sell', 0.5, 60_100);
    await maker.createOrder('BTC/USDT', 'limit', 'buy', 0.5, 59_900);
    await client.createOrder('BTC/USDT', 'market', 'buy', 0.01);
    const book = await client.fetchOrderBook('BTC/USDT');
    assert.deepEqual(book.asks[0], [60_000, 0.49]);
    assert.deepEqual(book.bids[0], [59_900, 0.5]);
    assert.equal(book.nonce, api.server.exchange.engine.lastSeq);
    const ticker = await client.fetchTicker('BTC/USDT');
    assert.equal(ticker.last, 60_000);
    assert.equal(ticker.bid, 59_900);
    assert.equal(ticker.ask, 60_000);
    const tickers = await client.fetchTickers();
    assert.deepEqual(Object.keys(tickers).sort(), ['BTC/USDT', 'ETH/BTC', 'ETH/USDT']);
    const trades = await client.fetchTrades('BTC/USDT');
    assert.equal(trades.length, 1);
    assert.equal(trades[0]!.price, 60_000);
    assert.equal(trades[0]!.amount, 0.01);
    assert.equal(trades[0]!.side, 'buy');
    // historicalTrades: ccxt sends its X-MBX-APIKEY for that path alone, which Bourse ignores (NONE).
    const historical = await client.fetchTrades('BTC/USDT', undefined, undefined, {
      fetchTradesMethod: 'publicGetHistoricalTrades',
    });
    assert.deepEqual(
      historical.map((t) => [t.price, t.amount, t.side]),
      [[60_000, 0.01, 'buy']],
    );
    const candles = await client.fetchOHLCV('BTC/USDT', '1m');
    assert.equal(candles.length, 1);
    assert.deepEqual(candles[0]!.slice(1), [60_000, 60_000, 60_000, 60_000, 0.01]);
    const hourly = await client.fetchOHLCV('BTC/USDT', '2h');
    assert.equal(hourly.length, 1);
  });

  it('createOrder (limit, market, market by cost), fetchOrder, cancelOrder, fetchOpenOrders, cancelAllOrders, fetchClosedOrders', async () => {
    const limit = await client.createOrder('BTC/USDT', 'limit', 'buy', 0.02, 50_000);
    assert.equal(limit.status, 'open');
    assert.equal(limit.price, 50_000);
    const fetched = await client.fetchOrder(limit.id!, 'BTC/USDT');
    assert.equal(fetched.status, 'open');
    assert.equal(fetched.amount, 0.02);
    const market = await client.createOrder('BTC/USDT', 'market', 'buy', 0.01);
    assert.equal(market.status, 'closed');
    assert.equal(market.filled, 0.01);
    assert.equal(market.trades.length, 1);
    const byCost = await client.createMarketBuyOrderWithCost('BTC/USDT', 600);
    assert.equal(byCost.status, 'closed');
    assert.equal(byCost.filled, 0.01);
    assert.equal(byCost.cost, 600);
    const canceled = await client.cancelOrder(limit.id!, 'BTC/USDT');
    assert.equal(canceled.status, 'canceled');
    await client.createOrder('BTC/USDT', 'limit', 'buy', 0.02, 49_000);
    await client.createOrder('BTC/USDT', 'limit', 'sell', 0.02, 70_000);
    const open = await client.fetchOpenOrders('BTC/USDT');
    assert.equal(open.length, 2);
    const all = await client.cancelAllOrders('BTC/USDT');
    assert.equal(all.length, 2);
    assert.equal((await client.fetchOpenOrders('BTC/USDT')).length, 0);
    const closed = await client.fetchClosedOrders('BTC/USDT');
    assert.deepEqual(
      closed.map((o) => o.status),
      ['closed', 'closed', 'closed'],
    );
    const orders = await client.fetchOrders('BTC/USDT');
    assert.deepEqual(orders.map((o) => o.status).sort(), [
      'canceled',
      'canceled',
      'canceled',
      'closed',
      'closed',
      'closed',
    ]);
  });

  it('fetchMyTrades and fetchBalance match the ledger', async () => {
    const mine = await client.fetchMyTrades('BTC/USDT');
    assert.equal(mine.length, 3);
    const ledgerTrades = await api.server.exchange.readModel.userTrades({
      userId: alice.userId,
      symbol: 'BTCUSDT',
    });
    assert.deepEqual(
      mine.map((t) => [Number(t.id), t.price, t.amount, t.fee?.cost, t.fee?.currency]),
      ledgerTrades.map((t) => [
        t.tradeId,
        units(t.price, 6),
        units(t.quantity, 8),
        units(t.commission, 8),
        t.commissionAsset,
      ]),
    );
    const balance = await client.fetchBalance();
    for (const [asset, decimals] of [
      ['BTC', 8],
      ['USDT', 6],
      ['ETH', 8],
    ] as const) {
      const ledger = await api.server.exchange.readModel.balanceFromPostings(alice.userId, asset);
      assert.equal(balance[asset]?.free, units(ledger.available, decimals), asset);
      assert.equal(balance[asset]?.used, units(ledger.locked, decimals), asset);
    }
    // 0.03 BTC bought, less 0.1% in fees paid in BTC.
    assert.equal(balance.BTC?.total, 1.02997);
  });

  it('surfaces Bourse errors as ccxt error classes', async () => {
    await assert.rejects(client.createOrder('BTC/USDT', 'limit', 'buy', 100, 50_000), ccxt.InsufficientFunds);
    await assert.rejects(client.fetchOrder('999999', 'BTC/USDT'), ccxt.OrderNotFound);
    await assert.rejects(client.cancelOrder('999999', 'BTC/USDT'), ccxt.OrderNotFound);
    // ccxt maps Binance's -1013 (filter failure) to BadRequest, as it does against Binance.
    await assert.rejects(client.createOrder('BTC/USDT', 'limit', 'buy', 0.0001, 40_000), ccxt.BadRequest);
  });

  it("the recipe points every URL of ccxt's binance and pro.binance at Bourse, sandbox and demo sets too", () => {
    const host = new URL(api.server.baseUrl).host;
    const checked = [binanceAt(api.server.baseUrl, alice), proWithRecipe(api.server.baseUrl)];
    for (const exchange of checked) {
      const urls = exchange.urls as Record<string, unknown>;
      const entries = ['api', 'test', 'demo'].flatMap((set) => urlEntries(urls[set], set));
      assert.ok(entries.length > 30, `${entries.length} URLs`);
      for (const [name, url] of entries) assert.equal(new URL(url).host, host, `${name}: ${url}`);
    }
  });

  it('fetchStatus, fetchTradingFees and fetchDeposits, which Bourse does not serve, fail at once with BadRequest, not a retried OperationFailed', async () => {
    const guarded = binanceAt(api.server.baseUrl, alice);
    guarded.options.maxRetriesOnFailure = 3;
    await guarded.loadMarkets();
    const sent: string[] = [];
    const fetch = guarded.fetch.bind(guarded);
    guarded.fetch = (url: string, ...rest: unknown[]) => {
      sent.push(new URL(url).pathname);
      return (fetch as (...args: unknown[]) => Promise<unknown>)(url, ...rest);
    };
    for (const call of [
      () => guarded.fetchStatus(),
      () => guarded.fetchTradingFees(),
      () => guarded.fetchDeposits('USDT'),
    ]) {
      sent.length = 0;
      const error = await call().then(
        () => assert.fail('served'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ccxt.BadRequest, String(error));
      assert.ok(!(error instanceof ccxt.OperationFailed), String(error));
      assert.equal(sent.length, 1, sent.join(', '));
      assert.match(sent[0]!, /^\/sapi\//);
    }
    // loadMarkets with ccxt's default market types asks /fapi and /dapi too: refused once each, not retried.
    const defaults = binanceAt(api.server.baseUrl, alice);
    defaults.options.maxRetriesOnFailure = 3;
    defaults.options.fetchMarkets = { types: ['spot', 'linear', 'inverse'] };
    const paths: string[] = [];
    const fetchDefaults = defaults.fetch.bind(defaults);
    defaults.fetch = (url: string, ...rest: unknown[]) => {
      paths.push(new URL(url).pathname);
      return (fetchDefaults as (...args: unknown[]) => Promise<unknown>)(url, ...rest);
    };
    await assert.rejects(defaults.loadMarkets(), (e: unknown) => e instanceof ccxt.BadRequest);
    assert.deepEqual(paths.filter((p) => !p.startsWith('/api/v3/')).sort(), [
      '/dapi/v1/exchangeInfo',
      '/fapi/v1/exchangeInfo',
    ]);
  });
});

function proWithRecipe(baseUrl: string) {
  return pointCcxtAtBourse(new ccxt.pro.binance(), baseUrl);
}
