import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestClient } from '../support/ws-client.ts';
import { ApiHarness, type ErrorBody, encode, TestClock } from './support/api-harness.ts';

/** Monday 2026-01-05 00:00:00 UTC. */
const MONDAY = Date.UTC(2026, 0, 5);

type Level = [string, string];
interface Depth {
  lastUpdateId: number;
  bids: Level[];
  asks: Level[];
}

describe('public REST endpoints', () => {
  let api: ApiHarness;
  const clock = new TestClock(MONDAY + 10_000);

  before(async () => {
    api = await ApiHarness.start({}, clock);
    const alice = api.trader('alice');
    const bob = api.trader('bob');
    // A book: bids 59990 and 59980 (alice), asks 60010 and 60020 (bob).
    for (const [key, side, price] of [
      [alice, 'BUY', '59990'],
      [alice, 'BUY', '59980'],
      [bob, 'SELL', '60010'],
      [bob, 'SELL', '60020'],
    ] as const) {
      const r = await api.signed('POST', '/api/v3/order', key, {
        symbol: 'BTCUSDT',
        side,
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.5',
        price,
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    // Trades: at 00:00:10.000 and 00:00:10.500 (same second), 00:01:05 and 00:03:30, and one on Feb 2.
    const take = async (at: number, quantity: string, side: 'BUY' | 'SELL') => {
      clock.now = at;
      const r = await api.signed('POST', '/api/v3/order', side === 'BUY' ? alice : bob, {
        symbol: 'BTCUSDT',
        side,
        type: 'MARKET',
        quantity,
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    };
    await take(MONDAY + 10_000, '0.1', 'BUY');
    await take(MONDAY + 10_500, '0.1', 'SELL');
    await take(MONDAY + 65_000, '0.1', 'BUY');
    await take(MONDAY + 210_000, '0.1', 'BUY');
    await take(Date.UTC(2026, 1, 2, 12), '0.1', 'SELL');
    clock.now = Date.UTC(2026, 1, 2, 12, 1);
  });
  after(() => api.close());

  it('ping and time', async () => {
    assert.deepEqual((await api.get('/api/v3/ping')).body, {});
    assert.deepEqual((await api.get('/api/v3/time')).body, { serverTime: clock.now });
  });

  it('exchangeInfo lists symbols with PRICE_FILTER, LOT_SIZE, MIN_NOTIONAL and NOTIONAL, and the rate limits', async () => {
    const r = await api.get<{
      symbols: { symbol: string; filters: Record<string, string>[] }[];
      rateLimits: unknown[];
    }>('/api/v3/exchangeInfo');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.symbols.map((s) => s.symbol).sort(), ['BTCUSDT', 'ETHBTC', 'ETHUSDT']);
    const btc = r.body.symbols.find((s) => s.symbol === 'BTCUSDT')!;
    const byType = Object.fromEntries(btc.filters.map((f) => [f.filterType, f]));
    assert.deepEqual(byType.PRICE_FILTER, {
      filterType: 'PRICE_FILTER',
      minPrice: '0.010000',
      maxPrice: '0.000000',
      tickSize: '0.010000',
    });
    assert.equal(byType.LOT_SIZE!.stepSize, '0.00010000');
    assert.equal(byType.MIN_NOTIONAL!.minNotional, '5.000000');
    assert.equal(byType.NOTIONAL!.minNotional, '5.000000');
    assert.deepEqual(r.body.rateLimits[0], {
      rateLimitType: 'REQUEST_WEIGHT',
      interval: 'MINUTE',
      intervalNum: 1,
      limit: 6000,
    });
    const one = await api.get<{ symbols: unknown[] }>('/api/v3/exchangeInfo', { symbol: 'ETHBTC' });
    assert.equal(one.body.symbols.length, 1);
    const two = await api.get<{ symbols: unknown[] }>('/api/v3/exchangeInfo', {
      symbols: '["ETHBTC","BTCUSDT"]',
    });
    assert.equal(two.body.symbols.length, 2);
  });

  it('fails with -1121 for an unknown symbol and -1128 for symbol with symbols', async () => {
    assert.equal((await api.get<ErrorBody>('/api/v3/exchangeInfo', { symbol: 'DOGEUSDT' })).body.code, -1121);
    assert.equal((await api.get<ErrorBody>('/api/v3/depth', { symbol: 'DOGEUSDT' })).body.code, -1121);
    const both = await api.get<ErrorBody>('/api/v3/ticker/price', {
      symbol: 'BTCUSDT',
      symbols: '["ETHBTC"]',
    });
    assert.equal(both.body.code, -1128);
  });

  it('depth: best first, exact decimals, lastUpdateId, limit', async () => {
    const r = await api.get<Depth>('/api/v3/depth', { symbol: 'BTCUSDT', limit: 1 });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.bids, [['59990.000000', '0.30000000']]);
    assert.deepEqual(r.body.asks, [['60010.000000', '0.20000000']]);
    assert.equal(r.body.lastUpdateId, api.server.exchange.engine.lastSeq);
    const full = await api.get<Depth>('/api/v3/depth', { symbol: 'BTCUSDT' });
    assert.deepEqual(
      full.body.bids.map((l) => l[0]),
      ['59990.000000', '59980.000000'],
    );
    assert.equal(full.headers.get('x-mbx-used-weight-1m') !== null, true);
  });

  it('fails on malformed parameters: -1100, -1102, -1103, -1105, -1101, -1130', async () => {
    const code = async (query: string) => (await api.raw<ErrorBody>('GET', '/api/v3/depth', query)).body.code;
    assert.equal(await code('symbol=BTCUSDT&limit=abc'), -1100);
    assert.equal(await code('symbol=btc%20usdt'), -1100);
    assert.equal(await code('limit=5'), -1102);
    assert.equal(await code('symbol=BTCUSDT&color=red'), -1103);
    assert.equal(await code('symbol=BTCUSDT&limit='), -1105);
    assert.equal(await code('symbol=BTCUSDT&symbol=ETHBTC'), -1101);
    assert.equal(await code('symbol=BTCUSDT&limit=5001'), -1130);
  });

  it('trades and historicalTrades', async () => {
    const recent = await api.get<{ id: number; price: string; qty: string; isBuyerMaker: boolean }[]>(
      '/api/v3/trades',
      { symbol: 'BTCUSDT', limit: 2 },
    );
    assert.equal(recent.body.length, 2);
    assert.equal(recent.body[1]!.isBuyerMaker, true);
    assert.equal(recent.body[1]!.price, '59990.000000');
    const { apiKey } = api.trader('alice');
    const historical = <T>(params: Record<string, string | number>) =>
      api.raw<T>('GET', '/api/v3/historicalTrades', encode(params), { apiKey });
    const all = await historical<{ id: number }[]>({ symbol: 'BTCUSDT', fromId: 0 });
    assert.equal(all.status, 200, JSON.stringify(all.body));
    assert.equal(all.body.length, 5);
    const from = await historical<{ id: number }[]>({ symbol: 'BTCUSDT', fromId: all.body[2]!.id });
    assert.deepEqual(
      from.body.map((t) => t.id),
      all.body.slice(2).map((t) => t.id),
    );
    assert.equal((await historical<unknown[]>({ symbol: 'BTCUSDT', limit: 1 })).body.length, 1);
  });

  it('historicalTrades is security type NONE, as on Binance since July 2023: any X-MBX-APIKEY is ignored', async () => {
    const query = encode({ symbol: 'BTCUSDT', limit: 1 });
    const reader = await api.user('carol', ['READ']);
    for (const apiKey of [undefined, 'not a key!', 'A'.repeat(64), reader.apiKey]) {
      const r = await api.raw<unknown[]>(
        'GET',
        '/api/v3/historicalTrades',
        query,
        apiKey === undefined ? {} : { apiKey },
      );
      assert.equal(r.status, 200, `${apiKey}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.length, 1);
    }
  });

  it('aggTrades', async () => {
    const r = await api.get<
      { a: number; p: string; q: string; f: number; l: number; T: number; m: boolean }[]
    >('/api/v3/aggTrades', { symbol: 'BTCUSDT' });
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 5);
    assert.equal(r.body[0]!.p, '60010.000000');
    assert.equal(r.body[0]!.T, MONDAY + 10_000);
    const combo = await api.get<ErrorBody>('/api/v3/aggTrades', {
      symbol: 'BTCUSDT',
      fromId: 1,
      startTime: 1,
    });
    assert.equal(combo.body.code, -1128);
  });

  it('aggTrades takes startTime and endTime at any span, or either alone, as Binance since December 2022', async () => {
    type Agg = { T: number }[];
    const times = async (params: Record<string, number>) => {
      const r = await api.get<Agg>('/api/v3/aggTrades', { symbol: 'BTCUSDT', ...params });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.map((a) => a.T);
    };
    const all = [
      MONDAY + 10_000,
      MONDAY + 10_500,
      MONDAY + 65_000,
      MONDAY + 210_000,
      Date.UTC(2026, 1, 2, 12),
    ];
    // Four weeks apart.
    assert.deepEqual(await times({ startTime: MONDAY, endTime: Date.UTC(2026, 1, 3) }), all);
    assert.deepEqual(await times({ startTime: MONDAY, endTime: MONDAY + 65_000 }), all.slice(0, 3));
    // startTime alone: from then on, oldest first, up to the limit.
    assert.deepEqual(await times({ startTime: MONDAY + 60_000, limit: 2 }), all.slice(2, 4));
    // endTime alone: the newest up to then.
    assert.deepEqual(await times({ endTime: MONDAY + 100_000, limit: 2 }), all.slice(1, 3));
    assert.deepEqual(await times({ endTime: MONDAY }), []);
  });

  it('klines: stored and derived intervals, 1s from trades, weeks on Monday, months on the 1st', async () => {
    type K = [number, string, string, string, string, string, number, string, number, string, string, string];
    const k = async (interval: string, extra: Record<string, number> = {}) =>
      (await api.get<K[]>('/api/v3/klines', { symbol: 'BTCUSDT', interval, ...extra })).body;
    const m1 = await k('1m');
    assert.deepEqual(
      m1.map((c) => c[0]),
      [MONDAY, MONDAY + 60_000, MONDAY + 180_000, Date.UTC(2026, 1, 2, 12)],
    );
    assert.deepEqual(m1[0]!.slice(1, 6), [
      '60010.000000',
      '60010.000000',
      '59990.000000',
      '59990.000000',
      '0.20000000',
    ]);
    assert.equal(m1[0]![8], 2);
    // Of its two trades, the first had a buying taker: the taker-buy volumes count it alone.
    assert.deepEqual(m1[0]!.slice(9), ['0.10000000', '6001.000000', '0']);
    const m3 = await k('3m');
    assert.deepEqual(
      m3.map((c) => [c[0], c[8]]),
      [
        [MONDAY, 3],
        [MONDAY + 180_000, 1],
        [Date.UTC(2026, 1, 2, 12), 1],
      ],
    );
    assert.equal(m3[0]![6], MONDAY + 180_000 - 1);
    assert.deepEqual(m3[0]!.slice(9, 11), ['0.20000000', '12002.000000']);
    const s1 = await k('1s');
    assert.deepEqual(
      s1.map((c) => [c[0], c[8]]),
      [
        [MONDAY + 10_000, 2],
        [MONDAY + 65_000, 1],
        [MONDAY + 210_000, 1],
        [Date.UTC(2026, 1, 2, 12), 1],
      ],
    );
    assert.deepEqual(
      s1.map((c) => c.slice(9, 11)),
      [
        ['0.10000000', '6001.000000'],
        ['0.10000000', '6001.000000'],
        ['0.10000000', '6001.000000'],
        ['0.00000000', '0.000000'],
      ],
    );
    const w1 = await k('1w');
    assert.deepEqual(
      w1.map((c) => c[0]),
      [MONDAY, Date.UTC(2026, 1, 2)],
    );
    const month = await k('1M');
    assert.deepEqual(
      month.map((c) => [c[0], c[6], c[8], c[9], c[10]]),
      [
        [Date.UTC(2026, 0, 1), Date.UTC(2026, 1, 1) - 1, 4, '0.30000000', '18003.000000'],
        [Date.UTC(2026, 1, 1), Date.UTC(2026, 2, 1) - 1, 1, '0.00000000', '0.000000'],
      ],
    );
    for (const interval of ['5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d']) {
      const rows = await k(interval);
      assert.equal(
        rows.reduce((n, c) => n + c[8], 0),
        5,
        interval,
      );
    }
    assert.deepEqual(
      (await k('1m', { limit: 1 })).map((c) => c[0]),
      [Date.UTC(2026, 1, 2, 12)],
    );
    assert.deepEqual(
      (await k('1m', { startTime: MONDAY + 1, limit: 2 })).map((c) => c[0]),
      [MONDAY + 60_000, MONDAY + 180_000],
    );
    assert.deepEqual(
      (await k('3m', { endTime: MONDAY + 179_999 })).map((c) => c[0]),
      [MONDAY],
    );
    assert.equal(
      (await api.get<ErrorBody>('/api/v3/klines', { symbol: 'BTCUSDT', interval: '7m' })).body.code,
      -1120,
    );
  });

  it("klines in a time zone: the local clock's buckets, times still UTC; uiKlines the same", async () => {
    type K = [number, string, string, string, string, string, number, string, number];
    const k = async (interval: string, timeZone: string) =>
      (await api.get<K[]>('/api/v3/klines', { symbol: 'BTCUSDT', interval, timeZone })).body.map((c) => [
        c[0],
        c[6],
        c[8],
      ]);
    // UTC-1: Monday 00:00:10 UTC is Sunday 23:00:10 there, so the first four trades fall on Sunday.
    assert.deepEqual(await k('1d', '-1:00'), [
      [Date.UTC(2026, 0, 4, 1), Date.UTC(2026, 0, 5, 1) - 1, 4],
      [Date.UTC(2026, 1, 2, 1), Date.UTC(2026, 1, 3, 1) - 1, 1],
    ]);
    // +05:45: hours open at a quarter past the UTC hour (built from 15m candles).
    assert.deepEqual(await k('1h', '05:45'), [
      [Date.UTC(2026, 0, 4, 23, 15), Date.UTC(2026, 0, 5, 0, 15) - 1, 4],
      [Date.UTC(2026, 1, 2, 11, 15), Date.UTC(2026, 1, 2, 12, 15) - 1, 1],
    ]);
    // +14:00: Feb 2 12:00 UTC is Feb 3 there, still February, which opens on Jan 31 at 10:00 UTC.
    assert.deepEqual(await k('1M', '+14:00'), [
      [Date.UTC(2025, 11, 31, 10), Date.UTC(2026, 0, 31, 10) - 1, 4],
      [Date.UTC(2026, 0, 31, 10), Date.UTC(2026, 1, 28, 10) - 1, 1],
    ]);
    assert.deepEqual(await k('4h', '8'), await k('4h', '0'), 'whole 4 hours apart: the same buckets');
    assert.deepEqual(await k('12h', '8'), [
      [Date.UTC(2026, 0, 4, 16), Date.UTC(2026, 0, 5, 4) - 1, 4],
      [Date.UTC(2026, 1, 2, 4), Date.UTC(2026, 1, 2, 16) - 1, 1],
    ]);
    const ui = await api.get<K[]>('/api/v3/uiKlines', {
      symbol: 'BTCUSDT',
      interval: '1h',
      timeZone: '05:45',
    });
    assert.deepEqual(
      ui.body.map((c) => [c[0], c[6], c[8]]),
      await k('1h', '05:45'),
    );
    for (const [timeZone, code] of [
      ['15', -1130],
      ['-13:00', -1130],
      ['+08:60', -1130],
      ['UTC', -1100],
    ] as const) {
      const r = await api.get<ErrorBody>('/api/v3/klines', { symbol: 'BTCUSDT', interval: '1d', timeZone });
      assert.equal(r.body.code, code, timeZone);
    }
  });

  it('rolling-window and trading-day tickers, summed from the candles of the window', async () => {
    type T = Record<string, string | number>;
    const ticker = async (path: string, query: Record<string, string>) =>
      (await api.get<T & ErrorBody>(path, { symbol: 'BTCUSDT', ...query })).body;
    const now = clock.now;
    const hour = await ticker('/api/v3/ticker', { windowSize: '1h' });
    assert.deepEqual(
      [hour.openTime, hour.closeTime, hour.count, hour.firstId, hour.lastId, hour.lastPrice],
      [Date.UTC(2026, 1, 2, 11, 1), now, 1, 5, 5, '59990.000000'],
    );
    const day = await ticker('/api/v3/ticker', {});
    const full24h = await ticker('/api/v3/ticker/24hr', {});
    for (const field of [
      'count',
      'firstId',
      'lastId',
      'lastPrice',
      'volume',
      'quoteVolume',
      'weightedAvgPrice',
    ]) {
      assert.equal(day[field], full24h[field], `windowSize 1d agrees with ticker/24hr on ${field}`);
    }
    assert.deepEqual(
      Object.keys(await ticker('/api/v3/ticker', { type: 'MINI' })).includes('priceChange'),
      false,
    );
    const tradingDay = await ticker('/api/v3/ticker/tradingDay', {});
    assert.deepEqual(
      [tradingDay.openTime, tradingDay.closeTime, tradingDay.count],
      [Date.UTC(2026, 1, 2), Date.UTC(2026, 1, 3) - 1, 1],
    );
    const eastern = await ticker('/api/v3/ticker/tradingDay', { timeZone: '-5' });
    assert.deepEqual([eastern.openTime, eastern.count], [Date.UTC(2026, 1, 2, 5), 1]);
    try {
      // A week back from Jan 11 00:02: minutes to the hour, hours to the day, then days, all four trades.
      clock.now = Date.UTC(2026, 0, 11, 0, 2, 30);
      const week = await ticker('/api/v3/ticker', { windowSize: '7d' });
      assert.deepEqual(
        [week.openTime, week.count, week.firstId, week.lastId],
        [Date.UTC(2026, 0, 4, 0, 2), 4, 1, 4],
      );
      assert.deepEqual(
        [week.openPrice, week.highPrice, week.lowPrice, week.lastPrice, week.volume],
        ['60010.000000', '60010.000000', '59990.000000', '60010.000000', '0.40000000'],
      );
      // From 00:01 on Monday: the two trades of the first minute fall outside.
      clock.now = MONDAY + 3_600_000 + 30_000;
      const late = await ticker('/api/v3/ticker', { windowSize: '59m' });
      assert.deepEqual(
        [late.openTime, late.count, late.firstId, late.volume],
        [MONDAY + 60_000, 2, 3, '0.20000000'],
      );
    } finally {
      clock.now = now;
    }
    for (const [path, query, code] of [
      ['/api/v3/ticker', { windowSize: '8d' }, -1130],
      ['/api/v3/ticker', { windowSize: '60m' }, -1130],
      ['/api/v3/ticker', { windowSize: '1w' }, -1100],
      ['/api/v3/ticker/tradingDay', { timeZone: '-13' }, -1130],
    ] as const) {
      assert.equal((await ticker(path, query)).code, code, JSON.stringify(query));
    }
    assert.equal((await api.get<ErrorBody>('/api/v3/ticker', {})).body.code, -1102);
  });

  it('avgPrice', async () => {
    const r = await api.get<{ mins: number; price: string }>('/api/v3/avgPrice', { symbol: 'BTCUSDT' });
    assert.equal(r.body.mins, 5);
    assert.equal(r.body.price, '59990.000000');
  });

  it('ticker/24hr: one symbol, a list, all, MINI', async () => {
    const one = await api.get<Record<string, string | number>>('/api/v3/ticker/24hr', { symbol: 'BTCUSDT' });
    assert.equal(one.body.lastPrice, '59990.000000');
    assert.equal(one.body.bidPrice, '59990.000000');
    assert.equal(one.body.askPrice, '60010.000000');
    assert.equal(one.body.count, 1);
    const list = await api.get<unknown[]>('/api/v3/ticker/24hr', { symbols: '["BTCUSDT","ETHBTC"]' });
    assert.equal(list.body.length, 2);
    const all = await api.get<unknown[]>('/api/v3/ticker/24hr');
    assert.equal(all.body.length, 3);
    const mini = await api.get<Record<string, unknown>>('/api/v3/ticker/24hr', {
      symbol: 'BTCUSDT',
      type: 'MINI',
    });
    assert.equal(mini.body.bidPrice, undefined);
    assert.equal(mini.body.lastPrice, '59990.000000');
  });

  it('ticker/price and ticker/bookTicker', async () => {
    assert.deepEqual((await api.get('/api/v3/ticker/price', { symbol: 'BTCUSDT' })).body, {
      symbol: 'BTCUSDT',
      price: '59990.000000',
    });
    assert.equal((await api.get<unknown[]>('/api/v3/ticker/price')).body.length, 3);
    assert.deepEqual((await api.get('/api/v3/ticker/bookTicker', { symbol: 'BTCUSDT' })).body, {
      symbol: 'BTCUSDT',
      bidPrice: '59990.000000',
      bidQty: '0.30000000',
      askPrice: '60010.000000',
      askQty: '0.20000000',
    });
  });

  it('unknown paths are 404 and wrong methods 405, in {code, msg}', async () => {
    const missing = await api.raw<ErrorBody>('GET', '/api/v3/nothing');
    assert.equal(missing.status, 404);
    assert.equal(typeof missing.body.code, 'number');
    assert.equal((await api.raw('PUT', '/api/v3/depth', 'symbol=BTCUSDT')).status, 405);
  });

  it('serves OpenAPI 3.1 at /openapi.json with every endpoint, and a docs page', async () => {
    const doc = await api.get<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      '/openapi.json',
    );
    assert.equal(doc.body.openapi, '3.1.0');
    for (const path of [
      '/api/v3/depth',
      '/api/v3/order',
      '/api/v3/order/cancelReplace',
      '/api/v3/userDataStream',
    ]) {
      assert.ok(doc.body.paths[path], path);
    }
    assert.deepEqual(Object.keys(doc.body.paths['/api/v3/order']!).sort(), ['delete', 'get', 'post']);
    const security = (path: string) => (doc.body.paths[path]!.get as { security?: unknown }).security;
    assert.equal(security('/api/v3/historicalTrades'), undefined);
    assert.deepEqual((doc.body.paths['/api/v3/userDataStream']!.post as { security?: unknown }).security, [
      { apiKey: [] },
    ]);
    assert.equal(security('/api/v3/trades'), undefined);
    const page = await fetch(`${api.server.baseUrl}/docs`);
    assert.match(page.headers.get('content-type')!, /text\/html/);
    assert.match(await page.text(), /openapi\.json/);
  });
});

describe('public trades after an order', () => {
  let api: ApiHarness;
  /** A small market sell that trades with alice's resting bid. */
  const bobSellsAtMarket = async () => {
    const order = await api.signed('POST', '/api/v3/order', api.trader('bob'), {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'MARKET',
      quantity: '0.001',
    });
    assert.equal(order.status, 200, JSON.stringify(order.body));
  };

  before(async () => {
    api = await ApiHarness.start({});
    const r = await api.signed('POST', '/api/v3/order', api.trader('alice'), {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
      price: '59990',
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await bobSellsAtMarket();
  });
  after(() => api.close());

  it('lists a trade in trades and historicalTrades as soon as the order that made it is answered', async () => {
    const { apiKey } = api.trader('alice');
    type PublicTrade = { id: number; qty: string };
    for (let i = 0; i < 5; i++) {
      const previous = await api.get<PublicTrade[]>('/api/v3/trades', { symbol: 'BTCUSDT', limit: 1 });
      await bobSellsAtMarket();
      const recent = await api.get<PublicTrade[]>('/api/v3/trades', { symbol: 'BTCUSDT', limit: 1 });
      assert.deepEqual(recent.body[0], {
        ...recent.body[0],
        id: previous.body[0]!.id + 1,
        qty: '0.00100000',
      });
      const historical = await api.raw<PublicTrade[]>(
        'GET',
        '/api/v3/historicalTrades',
        encode({ symbol: 'BTCUSDT', limit: 1 }),
        { apiKey },
      );
      assert.equal(historical.body[0]!.id, previous.body[0]!.id + 1);
    }
  });

  it('counts a trade in the klines as soon as the order that made it is answered', async () => {
    const since = Date.now() - 120_000;
    // Trades counted by the 1m klines since the test began: no minute boundary can hide one.
    const klineTrades = async () => {
      const klines = await api.get<unknown[][]>('/api/v3/klines', {
        symbol: 'BTCUSDT',
        interval: '1m',
        startTime: since,
        limit: 1000,
      });
      return klines.body.reduce((total, k) => total + (k[8] as number), 0);
    };
    for (let i = 0; i < 5; i++) {
      const before = await klineTrades();
      await bobSellsAtMarket();
      assert.equal(await klineTrades(), before + 1);
    }
  });
});

describe('depth of a quiet symbol', () => {
  let api: ApiHarness;
  before(async () => {
    api = await ApiHarness.start({});
  });
  after(() => api.close());

  const order = async (trader: 'alice' | 'bob', symbol: string, price: string) => {
    const r = await api.signed('POST', '/api/v3/order', api.trader(trader), {
      symbol,
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  const depth = async (symbol: string) =>
    (await api.get<Depth>('/api/v3/depth', { symbol, limit: 10 })).body.lastUpdateId;

  it("answers with the newest lastUpdateId while other symbols move on, so Binance's local-book procedure starts at once", async () => {
    await order('alice', 'ETHUSDT', '2000');
    assert.equal(await depth('ETHUSDT'), api.server.exchange.engine.lastSeq);
    for (const price of ['50000', '50001', '50002']) await order('bob', 'BTCUSDT', price);
    assert.equal(await depth('ETHUSDT'), api.server.exchange.engine.lastSeq, 'a cached book, a current id');

    // The procedure: open the diff stream, then fetch the snapshot; the first diff past it must
    // start at or before lastUpdateId + 1.
    const client = await TestClient.open(
      `${api.server.baseUrl.replace(/^http/, 'ws')}/ws/ethusdt@depth@100ms`,
    );
    try {
      await order('bob', 'BTCUSDT', '50003');
      const lastUpdateId = await depth('ETHUSDT');
      await order('alice', 'ETHUSDT', '2001');
      const first = await client.next((m) => m.e === 'depthUpdate' && m.u > lastUpdateId);
      assert.ok(
        first.U <= lastUpdateId + 1 && first.u >= lastUpdateId + 1,
        JSON.stringify({ lastUpdateId, first }),
      );
    } finally {
      await client.close();
    }
  });
});
