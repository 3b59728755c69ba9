import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { ApiHarness, type ApiKey } from './support/api-harness.ts';
import { offHost, proAt } from './support/ccxt-client.ts';

/**
 * ccxt.pro's unmodified `binance` class against a running Bourse, by URL override only
 * (support/ccxt-client.ts). Bourse serves https and wss with its self-signed certificate (ccxt
 * refuses plain ws:// unless told to use an agent), which this process trusts the way a user would
 * add a CA.
 */
type Pro = ReturnType<typeof proAt>;

describe('ccxt.pro binance against Bourse', () => {
  let api: ApiHarness;
  let alice: ApiKey;
  let bob: ApiKey;
  let client: Pro;
  let maker: Pro;
  let quote = 6;
  let base = 8;
  const units = (minor: number, decimals: number) => minor / 10 ** decimals;

  before(async () => {
    api = await ApiHarness.start({ tls: 'self-signed' });
    const ca = readFileSync(join(api.dataDir, 'tls', 'cert.pem'), 'utf8');
    setDefaultCACertificates([...getCACertificates('default'), ca]);
    alice = await api.user('pro-alice', ['READ', 'TRADE'], { USDT: '200000', BTC: '2' });
    bob = await api.user('pro-bob', ['READ', 'TRADE'], { USDT: '200000', BTC: '5' });
    client = proAt(api.server.baseUrl, alice);
    maker = proAt(api.server.baseUrl, bob);
    await client.loadMarkets();
    await maker.loadMarkets();
    const market = api.server.marketData.market('BTCUSDT')!;
    quote = market.quoteDecimals;
    base = market.baseDecimals;
  });
  /** Cancels both users' open orders, so a test's orders meet only each other. */
  const reset = async () => {
    for (const exchange of [client, maker]) {
      if ((await exchange.fetchOpenOrders('BTC/USDT')).length > 0) await exchange.cancelAllOrders('BTC/USDT');
    }
  };
  /** Cancels an order unless the flow already filled or expired it. */
  const cancelIfOpen = async (exchange: Pro, id: string) => {
    const order = await exchange.fetchOrder(id, 'BTC/USDT');
    if (order.status === 'open') await exchange.cancelOrder(id, 'BTC/USDT');
  };
  after(async () => {
    await client.close();
    await maker.close();
    await api.close();
    // Every request and socket of every test here went to Bourse: the recipe points all of ccxt at it.
    assert.deepEqual(offHost, []);
  });

  it('watchOrderBook keeps a local book equal to the REST depth through a stream of changes', async () => {
    for (let i = 0; i < 10; i++) {
      await maker.createOrder('BTC/USDT', 'limit', 'sell', 0.1 + i / 100, 60_000 + i * 10);
      await maker.createOrder('BTC/USDT', 'limit', 'buy', 0.1 + i / 100, 59_990 - i * 10);
    }
    let book = await client.watchOrderBook('BTC/USDT');
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const side = i % 2 === 0 ? 'buy' : 'sell';
      const price = side === 'buy' ? 59_900 + (i % 7) * 20 : 60_100 - (i % 5) * 20;
      const order = await maker.createOrder('BTC/USDT', 'limit', side, 0.01 * (1 + (i % 3)), price);
      ids.push(order.id!);
      if (i % 4 === 3) await cancelIfOpen(maker, ids.shift()!);
      if (i % 6 === 5) await client.createOrder('BTC/USDT', 'market', i % 12 === 5 ? 'buy' : 'sell', 0.03);
    }
    // The last command changes this book, so some diff reaches its seq.
    await maker.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50_000);
    const lastSeq = api.server.exchange.engine.lastSeq;
    while ((book.nonce ?? 0) < lastSeq) book = await client.watchOrderBook('BTC/USDT');
    const rest = await client.fetchOrderBook('BTC/USDT', 1000);
    assert.equal(book.nonce, rest.nonce);
    assert.deepEqual([...book.asks], rest.asks);
    assert.deepEqual([...book.bids], rest.bids);
    assert.ok(book.asks.length > 5 && book.bids.length > 5);
  });

  it('watchTrades delivers each trade as the ledger records it', async () => {
    await reset();
    const watching = client.watchTrades('BTC/USDT');
    let delivered = false;
    void watching.then(() => {
      delivered = true;
    });
    // ccxt subscribes in the background: a trade made before the subscription is active is never
    // delivered, so trade again until one is (on a busy machine the first may come too early).
    while (!delivered) {
      await maker.createOrder('BTC/USDT', 'limit', 'sell', 0.05, 59_000);
      await client.createOrder('BTC/USDT', 'limit', 'buy', 0.05, 59_000);
      await Promise.race([watching, new Promise((resolve) => setTimeout(resolve, 50))]);
    }
    const trades = await watching;
    const last = trades[trades.length - 1]!;
    // The read side is eventually consistent: wait until it holds everything acknowledged.
    await api.server.exchange.projector.whenApplied(api.server.exchange.engine.lastSeq);
    const ledger = await api.server.exchange.readModel.trades({
      symbol: 'BTCUSDT',
      fromId: Number(last.id),
      limit: 1,
    });
    const row = ledger[0]!;
    assert.deepEqual(
      [Number(last.id), last.price, last.amount, last.side, last.timestamp],
      [row.tradeId, units(row.price, quote), units(row.quantity, base), 'buy', row.ts],
    );
  });

  it('watchTicker reports the 24h statistics, and with the full ticker stream the top of the book', async () => {
    await maker.createOrder('BTC/USDT', 'limit', 'buy', 0.1, 57_000);
    await maker.createOrder('BTC/USDT', 'limit', 'sell', 0.1, 61_000);
    // ccxt's default for watchTicker is the miniTicker stream, which carries no book prices.
    const mini = await client.watchTicker('BTC/USDT');
    const stats = api.server.marketData.ticker24h('BTCUSDT', Date.now())!;
    assert.equal(mini.symbol, 'BTC/USDT');
    assert.deepEqual(
      [mini.last, mini.open, mini.high, mini.low, mini.baseVolume, mini.quoteVolume],
      [
        units(stats.lastPrice, quote),
        units(stats.openPrice, quote),
        units(stats.highPrice, quote),
        units(stats.lowPrice, quote),
        units(stats.volume, base),
        units(stats.quoteVolume, quote),
      ],
    );
    const full = await maker.watchTicker('BTC/USDT', { name: 'ticker' });
    const top = api.server.marketData.bookTicker('BTCUSDT')!;
    assert.deepEqual(
      [full.last, full.bid, full.bidVolume, full.ask, full.askVolume, full.previousClose],
      [
        units(stats.lastPrice, quote),
        units(top.bidPrice, quote),
        units(top.bidQty, base),
        units(top.askPrice, quote),
        units(top.askQty, base),
        units(stats.prevClosePrice, quote),
      ],
    );
    assert.deepEqual([top.bidPrice, top.askPrice], [57_000 * 10 ** quote, 61_000 * 10 ** quote]);
  });

  it('watchOrders and watchBalance report every order and balance as the ledger holds them', async () => {
    await reset();
    const seen = new Map<string, Awaited<ReturnType<Pro['watchOrders']>>[number]>();
    // The subscription is live once a deposit made after the call shows up; until then events
    // (on Binance too) go nowhere, so keep nudging with one-satoshi deposits.
    let balance: Awaited<ReturnType<Pro['watchBalance']>> | undefined;
    void client.watchBalance().then((b) => {
      balance = b;
    });
    while (balance === undefined) {
      await api.admin('POST', '/admin/deposits', {
        userId: alice.userId,
        asset: 'BTC',
        amount: '0.00000001',
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const ordersSeen = client.watchOrders('BTC/USDT');
    const resting = await client.createOrder('BTC/USDT', 'limit', 'buy', 0.02, 55_000);
    for (const o of await ordersSeen) seen.set(o.id!, o);
    assert.ok(seen.has(resting.id!));
    await maker.createOrder('BTC/USDT', 'limit', 'sell', 0.3, 58_000);
    const partial = await client.createOrder('BTC/USDT', 'limit', 'buy', 0.5, 58_000);
    await maker.createOrder('BTC/USDT', 'limit', 'buy', 0.1, 58_500);
    await maker.createOrder('BTC/USDT', 'limit', 'sell', 0.5, 59_000);
    await client.createOrder('BTC/USDT', 'market', 'sell', 0.04);
    const byCost = await client.createMarketBuyOrderWithCost('BTC/USDT', 1_000);
    await client.cancelOrder(partial.id!, 'BTC/USDT');
    // ccxt updates its caches on every message but resolves a watch only on the next one. Every
    // event reaches the socket before the REST answer of its command, so once the cached BTC balance
    // equals the ledger's, every earlier event has been read; until then, nudge with a deposit.
    const cache = client as unknown as {
      balance: Record<string, Record<string, { free?: number; used?: number; total?: number }>>;
      orders: Iterable<Awaited<ReturnType<Pro['watchOrders']>>[number]>;
    };
    for (;;) {
      const ledger = await api.server.exchange.readModel.balanceFromPostings(alice.userId, 'BTC');
      const cached = cache.balance.spot?.BTC;
      if (cached?.total === units(ledger.available + ledger.locked, base) && cached.used !== undefined) break;
      const next = client.watchBalance();
      await api.admin('POST', '/admin/deposits', {
        userId: alice.userId,
        asset: 'BTC',
        amount: '0.00000001',
      });
      await next;
    }
    balance = cache.balance.spot as typeof balance;
    for (const o of cache.orders) seen.set(o.id!, o);
    assert.equal(seen.get(byCost.id!)?.status, 'closed');
    assert.equal(seen.get(partial.id!)?.status, 'canceled');
    await api.server.exchange.projector.whenApplied(api.server.exchange.engine.lastSeq);
    for (const asset of ['BTC', 'USDT']) {
      const ledger = await api.server.exchange.readModel.balanceFromPostings(alice.userId, asset);
      const decimals = asset === 'BTC' ? base : quote;
      assert.equal(balance?.[asset]?.free, units(ledger.available, decimals), `${asset} free`);
      assert.equal(balance?.[asset]?.used, units(ledger.locked, decimals), `${asset} used`);
    }
    const rows = await api.server.exchange.readModel.orders({ userId: alice.userId, symbol: 'BTCUSDT' });
    const statuses: Record<string, string> = {
      NEW: 'open',
      PARTIALLY_FILLED: 'open',
      FILLED: 'closed',
      CANCELED: 'canceled',
      EXPIRED: 'expired',
    };
    let compared = 0;
    for (const row of rows) {
      const order = seen.get(String(row.orderId));
      if (order === undefined) continue;
      compared++;
      assert.deepEqual(
        [order.status, order.filled, order.cost, order.clientOrderId, order.side],
        [
          statuses[row.status],
          units(row.executedQty, base),
          units(row.cumulativeQuoteQty, quote),
          row.clientOrderId,
          row.side.toLowerCase(),
        ],
        `order ${row.orderId}`,
      );
    }
    assert.ok(compared >= 4, `compared ${compared} orders`);
    const fills = await api.server.exchange.readModel.userTrades({
      userId: alice.userId,
      symbol: 'BTCUSDT',
      orderId: Number(partial.id),
    });
    const partialSeen = seen.get(partial.id!)!;
    assert.equal(
      partialSeen.filled,
      units(
        fills.reduce((sum, t) => sum + t.quantity, 0),
        base,
      ),
    );
  });

  it('trades and reads through the *Ws methods (the WebSocket API), every balance and fill as the ledger holds them', async () => {
    await reset();
    const resting = await client.createOrderWs('BTC/USDT', 'limit', 'buy', 0.2, 58_000);
    assert.equal(resting.status, 'open');
    const fetched = await client.fetchOrderWs(resting.id!, 'BTC/USDT');
    assert.deepEqual(
      [fetched.id, fetched.price, fetched.amount, fetched.status],
      [resting.id, 58_000, 0.2, 'open'],
    );
    assert.deepEqual(
      (await client.fetchOpenOrdersWs('BTC/USDT')).map((o) => o.id),
      [resting.id],
    );
    // The maker sells into it over the WebSocket API too: a fill on both sides.
    const sold = await maker.createOrderWs('BTC/USDT', 'market', 'sell', 0.05);
    assert.deepEqual([sold.status, sold.filled], ['closed', 0.05]);
    const canceled = await client.cancelOrderWs(resting.id!, 'BTC/USDT');
    assert.deepEqual([canceled.status, canceled.filled], ['canceled', 0.05]);
    assert.deepEqual(await client.fetchOpenOrdersWs('BTC/USDT'), []);

    const ledgerTrades = await api.server.exchange.readModel.userTrades({
      userId: alice.userId,
      symbol: 'BTCUSDT',
      orderId: Number(resting.id),
    });
    const mine = await client.fetchMyTradesWs('BTC/USDT');
    const ofOrder = mine.filter((t) => t.order === resting.id);
    assert.ok(ledgerTrades.length > 0);
    assert.deepEqual(
      ofOrder.map((t) => [Number(t.id), t.price, t.amount, t.side, t.fee?.cost, t.takerOrMaker]),
      ledgerTrades.map((row) => [
        row.tradeId,
        units(row.price, quote),
        units(row.quantity, base),
        'buy',
        units(row.commission, base),
        'maker',
      ]),
    );
    // ccxt parses account.status's answer as a futures account's (`assets`), so its unified fields
    // stay empty for spot; the answer it hands back under `info` is Bourse's, checked here.
    const balance = await client.fetchBalanceWs();
    const wire = (balance.info as { balances: { asset: string; free: string; locked: string }[] }).balances;
    for (const asset of ['BTC', 'USDT']) {
      const ledger = await api.server.exchange.readModel.balanceFromPostings(alice.userId, asset);
      const decimals = asset === 'BTC' ? base : quote;
      const row = wire.find((b) => b.asset === asset);
      assert.equal(Number(row?.free), units(ledger.available, decimals), `${asset} free`);
      assert.equal(Number(row?.locked), units(ledger.locked, decimals), `${asset} locked`);
    }

    // Market data: the same trades and candles as REST.
    const trades = await client.fetchTradesWs('BTC/USDT', undefined, 5);
    const restTrades = await client.fetchTrades('BTC/USDT', undefined, 5);
    assert.deepEqual(
      trades.map((t) => [t.id, t.price, t.amount, t.timestamp]),
      restTrades.map((t) => [t.id, t.price, t.amount, t.timestamp]),
    );
    assert.ok(trades.some((t) => Number(t.id) === ledgerTrades[0]!.tradeId));
    const candles = await client.fetchOHLCVWs('BTC/USDT', '1m', undefined, 10);
    assert.deepEqual(candles, await client.fetchOHLCV('BTC/USDT', '1m', undefined, 10));
    // ccxt itself sends depth and ticker requests for futures markets only (Bourse answers both
    // methods; see ws-api-trading.test.ts).
    await assert.rejects(client.fetchOrderBookWs('BTC/USDT'), /only supports swap markets/);
    await assert.rejects(client.fetchTickerWs('BTC/USDT'), /only supports swap markets/);
  });
});
