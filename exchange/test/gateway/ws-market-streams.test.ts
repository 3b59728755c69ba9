import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { btc, limit, usdt } from '../support/engine-driver.ts';
import { mulberry32 } from '../support/random-flow.ts';
import { TestClient } from '../support/ws-client.ts';
import { sleep, WsHarness } from '../support/ws-harness.ts';

/** The status and {code, msg} body of an upgrade the server refused. */
function refusal(url: string): Promise<{ status: number; body: { code: unknown; msg: unknown } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => reject(new Error(`${url} opened`)));
    ws.once('error', () => {});
    ws.once('unexpected-response', (_request, response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    });
  });
}

describe('WebSocket market streams', () => {
  let h: WsHarness;
  before(async () => {
    // These tests send requests back to back; the incoming message limit has its own tests.
    h = await WsHarness.start({ maxIncomingMessagesPerSecond: 1_000 });
  });
  after(async () => {
    await h.stop();
  });
  beforeEach(() => h.clearBook());

  it('streams trades, aggregate trades and book tickers as they happen, at /ws/<stream>', async () => {
    const trades = await TestClient.open(`${h.base}/ws/btcusdt@trade`);
    const aggs = await TestClient.open(`${h.base}/ws/btcusdt@aggTrade`);
    const tops = await TestClient.open(`${h.base}/ws/btcusdt@bookTicker`);
    h.send(limit(1, 'SELL', usdt(30_000), btc(1)));
    h.send(limit(1, 'SELL', usdt(30_000), btc(1)));
    const top = await tops.next((m) => m.A === '2.00000000');
    assert.deepEqual(Object.keys(top).sort(), ['A', 'B', 'a', 'b', 's', 'u']);
    assert.equal(top.a, '30000.000000');
    assert.equal(top.u, h.driver.seq);
    h.send(limit(2, 'BUY', usdt(30_000), btc(1.5)));
    const first = await trades.next();
    const second = await trades.next();
    assert.equal(first.e, 'trade');
    assert.equal(first.s, 'BTCUSDT');
    assert.equal(first.p, '30000.000000');
    assert.equal(first.q, '1.00000000');
    assert.equal(first.m, false);
    assert.equal(second.q, '0.50000000');
    assert.equal(second.t, first.t + 1);
    const agg = await aggs.next();
    assert.deepEqual(
      [agg.e, agg.a, agg.f, agg.l, agg.p, agg.q, agg.m],
      ['aggTrade', first.t, first.t, second.t, '30000.000000', '1.50000000', false],
    );
    const after = await tops.next((m) => m.A === '0.50000000');
    assert.equal(after.a, '30000.000000');
    await Promise.all([trades.close(), aggs.close(), tops.close()]);
  });

  it('answers SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS and the combined property as Binance', async () => {
    const client = await TestClient.open(`${h.base}/ws`);
    assert.deepEqual(
      await client.request({ method: 'SUBSCRIBE', params: ['btcusdt@trade', 'btcusdt@depth'], id: 1 }),
      {
        result: null,
        id: 1,
      },
    );
    assert.deepEqual(await client.request({ method: 'LIST_SUBSCRIPTIONS', id: 2 }), {
      result: ['btcusdt@trade', 'btcusdt@depth'],
      id: 2,
    });
    assert.deepEqual(await client.request({ method: 'UNSUBSCRIBE', params: ['btcusdt@depth'], id: 3 }), {
      result: null,
      id: 3,
    });
    assert.deepEqual((await client.request({ method: 'LIST_SUBSCRIPTIONS', id: 4 })).result, [
      'btcusdt@trade',
    ]);
    const bad = await client.request({ method: 'SUBSCRIBE', params: ['ethusdt@trade'], id: 5 });
    assert.equal(bad.error.code, 2);
    const unknown = await client.request({ method: 'NOPE', id: 6 });
    assert.equal(unknown.error.code, 2);
    assert.deepEqual(await client.request({ method: 'GET_PROPERTY', params: ['combined'], id: 7 }), {
      result: false,
      id: 7,
    });
    assert.deepEqual(await client.request({ method: 'SET_PROPERTY', params: ['combined', true], id: 8 }), {
      result: null,
      id: 8,
    });
    h.send(limit(3, 'SELL', usdt(31_000), btc(0.1)));
    h.send(limit(4, 'BUY', usdt(31_000), btc(0.1)));
    const wrapped = await client.next((m) => m.stream === 'btcusdt@trade');
    assert.equal(wrapped.data.e, 'trade');
    assert.equal(wrapped.data.q, '0.10000000');
    await client.close();
  });

  it('serves combined streams at /stream?streams=a/b as {stream, data}', async () => {
    const client = await TestClient.open(`${h.base}/stream?streams=btcusdt@trade/btcusdt@bookTicker`);
    h.send(limit(3, 'SELL', usdt(32_000), btc(0.2)));
    const top = await client.next((m) => m.stream === 'btcusdt@bookTicker');
    assert.equal(top.data.s, 'BTCUSDT');
    h.send(limit(4, 'BUY', usdt(32_000), btc(0.2)));
    const trade = await client.next((m) => m.stream === 'btcusdt@trade');
    assert.equal(trade.data.p, '32000.000000');
    await client.close();
  });

  it('pushes partial depth, 24h tickers, mini tickers, all-market tickers and klines on their timers', async () => {
    const client = await TestClient.open(
      `${h.base}/stream?streams=btcusdt@depth5@100ms/btcusdt@depth10/btcusdt@ticker/btcusdt@miniTicker/!ticker@arr/!miniTicker@arr/btcusdt@kline_1m/btcusdt@kline_1M`,
    );
    h.send(limit(5, 'BUY', usdt(29_000), btc(1)));
    h.send(limit(5, 'SELL', usdt(33_000), btc(1)));
    h.send(limit(6, 'SELL', usdt(29_500), btc(0.3)));
    h.send(limit(7, 'BUY', usdt(29_500), btc(0.3)));
    const depth5 = await client.next(
      (m) => m.stream === 'btcusdt@depth5@100ms' && m.data.lastUpdateId === h.driver.seq,
    );
    const mirror = h.marketData.depth('BTCUSDT', 5)!;
    assert.equal(depth5.data.bids.length, mirror.bids.length);
    assert.deepEqual(depth5.data.bids[0], ['29000.000000', '1.00000000']);
    const depth10 = await client.next((m) => m.stream === 'btcusdt@depth10');
    assert.ok(depth10.data.asks.length <= 10);
    const ticker = await client.next((m) => m.stream === 'btcusdt@ticker');
    const ref = h.marketData.ticker24h('BTCUSDT', ticker.data.E)!;
    assert.equal(ticker.data.e, '24hrTicker');
    assert.equal(ticker.data.c, '29500.000000');
    assert.equal(ticker.data.n, ref.count);
    assert.equal(ticker.data.b, '29000.000000');
    const mini = await client.next((m) => m.stream === 'btcusdt@miniTicker');
    assert.equal(mini.data.e, '24hrMiniTicker');
    const all = await client.next((m) => m.stream === '!ticker@arr');
    assert.ok(Array.isArray(all.data) && all.data[0].s === 'BTCUSDT');
    const allMini = await client.next((m) => m.stream === '!miniTicker@arr');
    assert.equal(allMini.data[0].e, '24hrMiniTicker');
    const kline = await client.next((m) => m.stream === 'btcusdt@kline_1m');
    assert.equal(kline.data.e, 'kline');
    assert.equal(kline.data.k.i, '1m');
    assert.equal(kline.data.k.c, '29500.000000');
    assert.equal(kline.data.k.L, h.driver.engine.markets.get('BTCUSDT')!.nextTradeId - 1);
    const month = await client.next((m) => m.stream === 'btcusdt@kline_1M');
    assert.equal(month.data.k.i, '1M');
    assert.equal(month.data.k.x, false);
    await client.close();
  });

  for (const [stream, speedMs] of [
    ['btcusdt@depth@100ms', 100],
    ['btcusdt@depth', 1000],
    ['btcusdt@depth@1000ms', 1000],
  ] as const) {
    it(`keeps a local order book exactly by Binance's procedure on ${stream}, under a random flow`, async () => {
      const client = await TestClient.open(`${h.base}/ws/${stream}`);
      const random = mulberry32(stream.length);
      const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
      const flow = async (commands: number) => {
        for (let i = 0; i < commands; i++) {
          const roll = random();
          const user = int(1, 8);
          if (roll < 0.7) {
            const side = random() < 0.5 ? 'BUY' : 'SELL';
            const price = usdt(30_000 + int(-20, 20) * 10);
            h.send(
              limit(user, side, price, int(1, 50) * 10_000, { timeInForce: random() < 0.1 ? 'IOC' : 'GTC' }),
            );
          } else if (roll < 0.95) {
            const open = [...h.driver.engine.orders.all()];
            const order = open[int(0, Math.max(0, open.length - 1))];
            if (order !== undefined)
              h.send({
                type: 'CancelOrder',
                userId: order.userId,
                symbol: 'BTCUSDT',
                orderId: order.orderId,
              });
          } else {
            h.send({ type: 'Deposit', userId: user, asset: 'BTC', amount: 1 });
          }
          if (i % (speedMs === 100 ? 7 : 25) === 0) await sleep(int(0, speedMs / 3));
        }
      };
      // 1. Buffer events while the flow runs. 2. Take a snapshot (what GET /api/v3/depth serves).
      await flow(150);
      const snapshot = h.marketData.depth('BTCUSDT', 5000)!;
      await flow(300);
      // The closing command guarantees a diff whose u reaches the final seq.
      h.send(limit(1, 'BUY', usdt(20_000), btc(0.01)));
      const finalSeq = h.driver.seq;
      const bids = new Map(snapshot.bids.map(([p, q]) => [p, q]));
      const asks = new Map(snapshot.asks.map(([p, q]) => [p, q]));
      let lastU = snapshot.lastUpdateId;
      let first = true;
      let applied = 0;
      for (;;) {
        const event = await client.next();
        assert.equal(event.e, 'depthUpdate');
        // 3. Drop any event where u <= lastUpdateId of the snapshot.
        if (event.u <= snapshot.lastUpdateId) continue;
        if (first) {
          // 4. The first event to process has U <= lastUpdateId + 1 and u >= lastUpdateId + 1.
          assert.ok(
            event.U <= snapshot.lastUpdateId + 1 && event.u >= snapshot.lastUpdateId + 1,
            JSON.stringify(event),
          );
          first = false;
        } else {
          // 5. Each later event's U is the previous event's u + 1.
          assert.equal(event.U, lastU + 1);
        }
        for (const [p, q] of event.b as [string, string][]) {
          const price = Math.round(Number(p) * 1e6);
          Number(q) === 0 ? bids.delete(price) : bids.set(price, Math.round(Number(q) * 1e8));
        }
        for (const [p, q] of event.a as [string, string][]) {
          const price = Math.round(Number(p) * 1e6);
          Number(q) === 0 ? asks.delete(price) : asks.set(price, Math.round(Number(q) * 1e8));
        }
        lastU = event.u;
        applied++;
        if (lastU >= finalSeq) break;
      }
      // Several diffs, each starting where the last ended (the flow lasts a few seconds).
      assert.ok(applied >= 2, `only ${applied} diffs applied`);
      const final = h.marketData.depth('BTCUSDT', 5000)!;
      assert.equal(lastU, final.lastUpdateId);
      assert.deepEqual(
        [...bids].sort((a, b) => b[0] - a[0]),
        final.bids.map(([p, q]) => [p, q]),
      );
      assert.deepEqual(
        [...asks].sort((a, b) => a[0] - b[0]),
        final.asks.map(([p, q]) => [p, q]),
      );
      await client.close();
    });
  }

  it('refuses upgrades on unknown paths (404), and malformed URLs and unknown stream names (400), in {code, msg}', async () => {
    for (const [path, status] of [
      ['/nope', 404],
      ['/ws/%E0%A4%A', 400],
      ['/stream?streams=btcusdt@trade/btcusdt@nonsense', 400],
      ['/stream?streams=ethusdt@trade', 400],
      ['/stream?streams=btcusdt@kline_1d@+05:00', 400],
      ['/ws/btcusdt@ticker_2h', 400],
      ['/ws/!ticker_1m@arr', 400],
    ] as const) {
      const refused = await refusal(`${h.base}${path}`);
      assert.equal(refused.status, status, path);
      assert.equal(typeof refused.body.code, 'number', path);
      assert.equal(typeof refused.body.msg, 'string', path);
    }
    // A raw /ws/<id> that names no stream still opens, as on Binance: ccxt subscribes on it afterwards.
    const raw = await TestClient.open(`${h.base}/ws/0`);
    const bad = await raw.request({
      method: 'SUBSCRIBE',
      params: ['btcusdt@ticker_1h', 'btcusdt@nope'],
      id: 1,
    });
    assert.equal(bad.error.code, 2);
    assert.match(bad.error.msg, /btcusdt@nope/);
    assert.deepEqual((await raw.request({ method: 'LIST_SUBSCRIPTIONS', id: 2 })).result, []);
    await raw.close();
  });

  it('pushes rolling window tickers, !ticker_<window>@arr, avgPrice and +08:00 klines, exact to the trades', async () => {
    const names = [
      'btcusdt@ticker_1h',
      'btcusdt@ticker_4h',
      'btcusdt@ticker_1d',
      '!ticker_1h@arr',
      'btcusdt@avgPrice',
      'btcusdt@kline_1d@+08:00',
      'btcusdt@kline_1d',
      'btcusdt@kline_1h@+08:00',
    ];
    const client = await TestClient.open(`${h.base}/stream?streams=${names.join('/')}`);
    h.send(limit(5, 'SELL', usdt(31_000), btc(0.4)));
    h.send(limit(5, 'SELL', usdt(31_100), btc(0.4)));
    h.send(limit(6, 'BUY', usdt(31_100), btc(0.6)));
    h.send(limit(7, 'SELL', usdt(30_900), btc(0.1)));
    h.send(limit(8, 'BUY', usdt(30_900), btc(0.1)));
    const trades = h.driver.events.filter(
      (e): e is Extract<typeof e, { type: 'Trade' }> => e.type === 'Trade' && e.symbol === 'BTCUSDT',
    );
    // Trade ids count per symbol: BTCUSDT's newest trade.
    const lastTradeId = trades.at(-1)!.tradeId;
    const fmtPrice = (v: number) => (v / 1e6).toFixed(6);
    const fmtQty = (v: number) => (v / 1e8).toFixed(8);
    /** The oracle: sums of the Trade events themselves, over [from, to]. */
    const expected = (from: number, to: number) => {
      const within = trades.filter((t) => t.ts >= from && t.ts <= to);
      return {
        o: fmtPrice(within[0]!.price),
        h: fmtPrice(Math.max(...within.map((t) => t.price))),
        l: fmtPrice(Math.min(...within.map((t) => t.price))),
        c: fmtPrice(within.at(-1)!.price),
        v: fmtQty(within.reduce((sum, t) => sum + t.quantity, 0)),
        q: fmtPrice(within.reduce((sum, t) => sum + t.quoteQuantity, 0)),
        n: within.length,
        F: within[0]!.tradeId,
        L: within.at(-1)!.tradeId,
      };
    };
    for (const [window, ms] of [
      ['1h', 3_600_000],
      ['4h', 14_400_000],
      ['1d', 86_400_000],
    ] as const) {
      const { data } = await client.next(
        (m) => m.stream === `btcusdt@ticker_${window}` && m.data.L === lastTradeId,
      );
      assert.equal(data.e, `${window}Ticker`);
      assert.equal(data.s, 'BTCUSDT');
      // The window opens on the minute `window` before the update, and closes at it.
      assert.equal(data.O, Math.floor((data.E - ms) / 60_000) * 60_000);
      assert.equal(data.C, data.E);
      const want = expected(data.O, data.C);
      assert.deepEqual(
        { o: data.o, h: data.h, l: data.l, c: data.c, v: data.v, q: data.q, n: data.n, F: data.F, L: data.L },
        want,
      );
      assert.equal(data.p, fmtPrice(Number(data.c) * 1e6 - Number(data.o) * 1e6));
      assert.deepEqual(Object.keys(data).sort(), [
        'C',
        'E',
        'F',
        'L',
        'O',
        'P',
        'c',
        'e',
        'h',
        'l',
        'n',
        'o',
        'p',
        'q',
        's',
        'v',
        'w',
      ]);
    }
    const all = await client.next(
      (m) => m.stream === '!ticker_1h@arr' && m.data.some((t: { L: number }) => t.L === lastTradeId),
    );
    assert.deepEqual(
      all.data.map((t: { s: string; e: string }) => [t.s, t.e]),
      [['BTCUSDT', '1hTicker']],
    );
    const avg = await client.next((m) => m.stream === 'btcusdt@avgPrice' && m.data.T === trades.at(-1)!.ts);
    assert.deepEqual(Object.keys(avg.data).sort(), ['E', 'T', 'e', 'i', 's', 'w']);
    assert.deepEqual([avg.data.e, avg.data.s, avg.data.i], ['avgPrice', 'BTCUSDT', '5m']);
    const average = h.marketData.averagePrice('BTCUSDT', avg.data.E, 5)!;
    assert.equal(avg.data.w, fmtPrice(average.price));

    const DAY = 86_400_000;
    const EIGHT_HOURS = 8 * 3_600_000;
    const zoned = await client.next(
      (m) => m.stream === 'btcusdt@kline_1d@+08:00' && m.data.k.L === lastTradeId,
    );
    const utc = await client.next((m) => m.stream === 'btcusdt@kline_1d' && m.data.k.L === lastTradeId);
    const now = trades.at(-1)!.ts;
    // The +08:00 day opens at 16:00 UTC; the UTC day at midnight.
    assert.equal(zoned.data.k.t, Math.floor((now + EIGHT_HOURS) / DAY) * DAY - EIGHT_HOURS);
    assert.equal(zoned.data.k.T, zoned.data.k.t + DAY - 1);
    assert.equal(utc.data.k.t, Math.floor(now / DAY) * DAY);
    for (const kline of [zoned.data.k, utc.data.k]) {
      const want = expected(kline.t, kline.T);
      assert.deepEqual(
        {
          o: kline.o,
          h: kline.h,
          l: kline.l,
          c: kline.c,
          v: kline.v,
          q: kline.q,
          n: kline.n,
          F: kline.f,
          L: kline.L,
        },
        want,
      );
    }
    // An hour in +08:00 is a UTC hour.
    const hour = await client.next(
      (m) => m.stream === 'btcusdt@kline_1h@+08:00' && m.data.k.L === lastTradeId,
    );
    assert.equal(hour.data.k.t, Math.floor(now / 3_600_000) * 3_600_000);
    await client.close();
  });
});
