import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { WS_API_METHODS as WS_API_METHOD_TABLE } from '../../src/gateway/ws/ws-api-methods.ts';
import { UNSUPPORTED_WS_API_METHODS, WS_API_ROUTES } from '../../src/gateway/ws/ws-api-routes.ts';

/** Every method the WebSocket API serves, from the table that gives each its weight and parameters. */
/** The session's own methods, the REST routes under their WebSocket API names, and the unbuilt ones. */
const WS_API_METHODS = [
  ...WS_API_METHOD_TABLE.keys(),
  ...WS_API_ROUTES.keys(),
  ...UNSUPPORTED_WS_API_METHODS.keys(),
];

import { ApiHarness, type ApiKey, type Ed25519ApiKey, sign } from '../api/support/api-harness.ts';
import { signEd25519, signParams, signParamsEd25519 } from '../support/memory-api-keys.ts';
import { TestClient } from '../support/ws-client.ts';

/**
 * Arbitrary requests to every operation of the server's own /openapi.json and to every WebSocket API
 * method, with parameters drawn from each one's schema and from junk: no answer is a 5xx or a dropped
 * connection, every error is Binance's {code, msg}, and a request that fails changes no balance and
 * no order. Runs are few per operation so the whole file stays well under a minute; the seed is
 * fixed (and printed) so a failure replays: PROPERTY_SEED=<n> API_PROPERTY_RUNS=<n> to vary them.
 */
const SEED = Number(process.env.PROPERTY_SEED ?? 20_261_201);
const RUNS = Number(process.env.API_PROPERTY_RUNS ?? 15);

interface Parameter {
  readonly name: string;
  readonly required: boolean;
  readonly schema: {
    readonly type?: string;
    readonly enum?: readonly string[];
    readonly minimum?: number;
    readonly maximum?: number;
    readonly pattern?: string;
  };
}
interface Operation {
  readonly parameters: readonly Parameter[];
  readonly security?: unknown;
}
type OpenApi = { paths: Record<string, Record<string, Operation>> };

/** Binance's answer when cancelReplace's cancel went through and its new order did not: a partial success. */
const CANCEL_REPLACE_PARTIALLY_FAILED = -2021;

const junk: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.constantFrom('', ' ', '-1', '0', '1e309', 'NaN', '0x10', '9'.repeat(40), '[]', '{"a":1}', '%zz', 'null'),
  fc.integer().map(String),
  fc.double({ noNaN: false }).map(String),
  fc.string({ unit: 'binary', maxLength: 8 }),
);

/** A value for a documented parameter: mostly what its schema describes, sometimes anything. */
function valueFor(p: Parameter, listenKey: () => string): fc.Arbitrary<string> {
  const s = p.schema;
  let valid: fc.Arbitrary<string>;
  if (p.name === 'listenKey') valid = fc.constant(0).map(() => listenKey());
  else if (s.enum !== undefined) valid = fc.constantFrom(...s.enum);
  else if (s.type === 'boolean') valid = fc.constantFrom('true', 'false');
  else if (s.type === 'integer') {
    const times = p.name.endsWith('Time');
    valid = times
      ? fc.integer({ min: Date.now() - 86_400_000, max: Date.now() + 60_000 }).map(String)
      : fc.integer({ min: s.minimum ?? -5, max: Math.min(s.maximum ?? 5_000, 5_000) }).map(String);
  } else if (p.name === 'symbol') valid = fc.constantFrom('BTCUSDT', 'ETHUSDT', 'ETHBTC', 'NOPEUSDT');
  else if (p.name === 'symbols')
    valid = fc.constantFrom('["BTCUSDT"]', '["BTCUSDT","ETHBTC"]', '[]', '["X"]');
  else if (p.name === 'price') valid = fc.constantFrom('59000', '60000', '61000.5', '0.01', '100000000');
  else if (p.name === 'quantity' || p.name === 'quoteOrderQty')
    valid = fc.constantFrom('0.01', '0.001', '0.5', '100', '0.00000001');
  else valid = fc.string({ unit: 'grapheme-ascii', maxLength: 12 });
  // Anything the documented pattern admits, too: it passes the parser and meets the handler's checks.
  if (s.pattern !== undefined) {
    valid = fc.oneof(
      { weight: 3, arbitrary: valid },
      { weight: 1, arbitrary: fc.stringMatching(new RegExp(s.pattern)) },
    );
  }
  return fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: junk });
}

/**
 * Well-formed requests for the operations whose parameters depend on each other (a LIMIT order needs
 * timeInForce, quantity and price), which the schema alone rarely combines: the property mutates them
 * so that arbitrary requests reach the engine's own checks (balances, filters, unknown orders), not
 * only the parameter parser.
 */
/** Stands for the id of one of the requesting trader's open orders, filled in when the request is made. */
const OPEN_ORDER = '$open-order';
const ORDERS: readonly Record<string, string>[] = [
  { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '58000' },
  { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'IOC', quantity: '0.01', price: '59000' },
  { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' },
  { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '100' },
  { symbol: 'ETHBTC', side: 'SELL', type: 'LIMIT_MAKER', quantity: '0.1', price: '0.05' },
  { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1000', price: '60000' },
];
const TEMPLATES: Readonly<Record<string, readonly Record<string, string>[]>> = {
  'POST /api/v3/order': ORDERS,
  'POST /api/v3/order/test': ORDERS,
  'POST /api/v3/order/cancelReplace': ORDERS.map((o) => ({
    ...o,
    cancelReplaceMode: 'ALLOW_FAILURE',
    cancelOrderId: OPEN_ORDER,
  })),
  'GET /api/v3/order': [{ symbol: 'BTCUSDT', orderId: OPEN_ORDER }],
  'DELETE /api/v3/order': [{ symbol: 'BTCUSDT', orderId: OPEN_ORDER }],
  'GET /api/v3/ticker': [{ symbol: 'BTCUSDT', windowSize: '1h' }],
  'GET /api/v3/ticker/tradingDay': [{ symbols: '["BTCUSDT","ETHBTC"]', timeZone: '8' }],
};

/** A template with now and then a value replaced (by its schema or by junk), dropped, or added. */
function mutated(
  template: fc.Arbitrary<Record<string, string>>,
  documented: readonly Parameter[],
  listenKey: () => string,
): fc.Arbitrary<(readonly [string, string] | null)[]> {
  const byName = new Map(documented.map((p) => [p.name, p]));
  return template.chain((base) => {
    const changes = Object.entries(base).map(([name, value]) => {
      const p = byName.get(name);
      const replaced = p === undefined ? junk : valueFor(p, listenKey);
      return fc.oneof(
        { weight: 10, arbitrary: fc.constant([name, value] as const) },
        { weight: 1, arbitrary: replaced.map((v) => [name, v] as const) },
        { weight: 1, arbitrary: fc.constant(null) },
      );
    });
    const added = documented.filter((p) => !(p.name in base));
    const extra =
      added.length === 0
        ? fc.constant(null)
        : fc.oneof(
            { weight: 3, arbitrary: fc.constant(null) },
            {
              weight: 1,
              arbitrary: fc
                .constantFrom(...added)
                .chain((p) => valueFor(p, listenKey).map((v) => [p.name, v] as const)),
            },
          );
    return fc.tuple(...changes, extra);
  });
}

interface Snapshot {
  readonly balances: unknown[];
  readonly openOrders: unknown[];
}

describe('every documented operation and WebSocket API method, under arbitrary parameters', () => {
  let api: ApiHarness;
  let doc: OpenApi;
  let keys: ApiKey[];
  let readOnly: ApiKey;
  let edKey: Ed25519ApiKey;
  let listenKeys: string[] = [];

  before(async () => {
    // Limits out of the way: the test's thousands of requests, many of them badly signed, come from
    // one IP; the limits have their own tests (rate-limits, ws-rate-limits).
    api = await ApiHarness.start({
      requestWeightPerMinute: 100_000_000,
      ordersPer10s: 100_000_000,
      ordersPerDay: 100_000_000,
      failedAuthPerMinute: 100_000_000,
      wsConnectionsPer5Min: 1_000_000,
    });
    keys = [api.trader('alice'), api.trader('bob')];
    readOnly = await api.user('reader', ['READ'], { USDT: '1000' });
    edKey = await api.ed25519User('ed', ['READ', 'TRADE'], { USDT: '1000', BTC: '1' });
    // A book to trade against, so that some arbitrary orders fill.
    for (const [key, side, price] of [
      [keys[0]!, 'BUY', '59000'],
      [keys[1]!, 'SELL', '61000'],
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
    doc = (await api.get<OpenApi>('/openapi.json')).body;
    console.log(
      `api property test: seed ${SEED}, ${RUNS} runs per operation (PROPERTY_SEED, API_PROPERTY_RUNS)`,
    );
  });
  after(() => api.close());

  /** Every user's balances and every trader's open orders, through the admin and public APIs. */
  const snapshot = async (): Promise<Snapshot> => {
    const users = [keys[0]!.userId, keys[1]!.userId, readOnly.userId, edKey.userId];
    const [balances, openOrders] = await Promise.all([
      Promise.all(
        users.map(async (userId) => (await api.admin('GET', `/admin/users/${userId}/balances`)).body),
      ),
      Promise.all(keys.map(async (key) => (await api.signed('GET', '/api/v3/openOrders', key)).body)),
    ]);
    return { balances, openOrders };
  };

  const listenKey = () => listenKeys[0] ?? 'nosuchlistenkey';

  /** Gives each trader a resting BTCUSDT order again, should the runs have canceled or filled theirs. */
  const restOrders = async (state: Snapshot): Promise<Snapshot> => {
    let placed = false;
    for (const [i, [side, price]] of (
      [
        ['BUY', '58000'],
        ['SELL', '62000'],
      ] as const
    ).entries()) {
      if ((state.openOrders[i] as unknown[]).length > 0) continue;
      const r = await api.signed('POST', '/api/v3/order', keys[i]!, {
        symbol: 'BTCUSDT',
        side,
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.01',
        price,
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      placed = true;
    }
    return placed ? snapshot() : state;
  };

  it('REST: no 5xx, every error is {code, msg}, and a failed request changes nothing', async () => {
    // The ids the order endpoints should sometimes hit: open orders of the traders.
    const made = await api.raw<{ listenKey: string }>('POST', '/api/v3/userDataStream', '', {
      apiKey: keys[0]!.apiKey,
    });
    listenKeys = [made.body.listenKey];
    let state = await snapshot();
    const answered: Record<string, Record<number, number>> = {};
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        path,
        method: method.toUpperCase(),
        operation,
      })),
    );
    assert.ok(operations.length >= 20, `${operations.length} operations`);
    for (const { path, method, operation } of operations) {
      state = await restOrders(state);
      const signed = operation.parameters.some((p) => p.name === 'signature');
      const documented = operation.parameters.filter(
        (p) => !['signature', 'timestamp', 'recvWindow'].includes(p.name),
      );
      const fromSchema = fc.tuple(
        ...documented.map((p) =>
          // A required parameter is nearly always sent, an optional one now and then.
          fc.oneof(
            { weight: p.required ? 1 : 7, arbitrary: fc.constant(null) },
            {
              weight: p.required ? 19 : 3,
              arbitrary: valueFor(p, listenKey).map((v) => [p.name, v] as const),
            },
          ),
        ),
      );
      const templates = TEMPLATES[`${method} ${path}`] ?? [];
      const params =
        templates.length === 0
          ? fromSchema
          : fc.oneof(fromSchema, mutated(fc.constantFrom(...templates), documented, listenKey));
      /** Mostly `usual`, now and then one of the others. */
      const mostly = <T>(usual: T, ...others: T[]) =>
        fc.oneof(
          { weight: 4 * others.length, arbitrary: fc.constant(usual) },
          { weight: 1, arbitrary: fc.constantFrom(...others) },
        );
      /** Now and then a value, mostly nothing. */
      const rarely = <T>(value: fc.Arbitrary<T>) =>
        fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: value });
      const request = fc.record({
        params,
        extra: rarely(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), junk)),
        key: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom('alice', 'bob') },
          { weight: 1, arbitrary: fc.constantFrom('reader', 'ed', 'none', 'unknown') },
        ),
        signature: mostly('good', 'bad', 'none'),
        timestamp: mostly('now', 'stale', 'ahead', 'junk', 'none'),
        recvWindow: rarely(fc.oneof(fc.integer({ min: 0, max: 70_000 }).map(String), junk)),
        inBody: method === 'GET' ? fc.constant(false) : fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const pairs: [string, string][] = [];
          const trader = r.key === 'bob' ? 1 : 0;
          const open = (state.openOrders[trader] as { orderId: number }[])[0]?.orderId ?? 999_999;
          for (const entry of r.params) {
            if (entry !== null) pairs.push([entry[0], entry[1] === OPEN_ORDER ? String(open) : entry[1]]);
          }
          if (r.extra !== null) pairs.push(r.extra);
          const key =
            r.key === 'alice'
              ? keys[0]!
              : r.key === 'bob'
                ? keys[1]!
                : r.key === 'reader'
                  ? readOnly
                  : undefined;
          const apiKey =
            key?.apiKey ?? (r.key === 'ed' ? edKey.apiKey : r.key === 'unknown' ? 'A'.repeat(64) : undefined);
          if (signed) {
            const now = api.now();
            const ts = { now, stale: now - 120_000, ahead: now + 120_000 } as Record<string, number>;
            if (r.timestamp === 'junk') pairs.push(['timestamp', 'soon']);
            else if (r.timestamp !== 'none') pairs.push(['timestamp', String(ts[r.timestamp])]);
            if (r.recvWindow !== null) pairs.push(['recvWindow', r.recvWindow]);
          }
          let text = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
          if (signed && r.signature !== 'none') {
            const signature =
              r.signature === 'bad'
                ? 'f'.repeat(64)
                : r.key === 'ed'
                  ? encodeURIComponent(signEd25519(text, edKey.privateKey))
                  : sign(text, key?.secretKey ?? 'no secret');
            text = `${text === '' ? '' : `${text}&`}signature=${signature}`;
          }
          const headers: Record<string, string> = {};
          if (apiKey !== undefined) headers['X-MBX-APIKEY'] = apiKey;
          if (r.inBody) headers['content-type'] = 'application/x-www-form-urlencoded';
          const response = await fetch(
            `${api.server.baseUrl}${path}${!r.inBody && text !== '' ? `?${text}` : ''}`,
            {
              method,
              headers,
              ...(r.inBody && { body: text }),
            },
          );
          const raw = await response.text();
          const tally = answered[`${method} ${path}`] ?? {};
          answered[`${method} ${path}`] = tally;
          tally[response.status] = (tally[response.status] ?? 0) + 1;
          const where = `${method} ${path}?${text} -> ${response.status} ${raw.slice(0, 300)}`;
          assert.ok(response.status < 500, where);
          const body = JSON.parse(raw) as { code?: unknown; msg?: unknown };
          if (response.status !== 200) {
            assert.equal(typeof body.code, 'number', where);
            assert.equal(typeof body.msg, 'string', where);
          }
          const changed = await snapshot();
          if (response.status !== 200 && body.code !== CANCEL_REPLACE_PARTIALLY_FAILED) {
            assert.deepEqual(changed, state, `a failed request changed balances or orders: ${where}`);
          }
          if (path === '/api/v3/userDataStream' && method === 'POST' && response.status === 200) {
            listenKeys = [(body as { listenKey: string }).listenKey];
          }
          state = changed;
        }),
        // More runs where there are more parameters to combine (the order endpoints).
        { seed: SEED, numRuns: RUNS * Math.max(1, Math.ceil(documented.length / 3)), endOnFailure: true },
      );
    }
    // What the runs reached: answers by status, per operation.
    console.log(
      Object.entries(answered)
        .map(([operation, statuses]) => `${operation} ${JSON.stringify(statuses)}`)
        .join('\n'),
    );
  });

  it('the WebSocket API: every method answered, no 5xx, every error {code, msg}, no connection dropped, nothing changed', async () => {
    // The list the property runs over is the one dispatch serves, case for case.
    const source = readFileSync(join(import.meta.dirname, '../../src/gateway/ws/ws-api-session.ts'), 'utf8');
    const dispatched = [...source.matchAll(/^\s+case '([a-zA-Z.]+)':/gm)].map((m) => m[1]);
    assert.deepEqual([...dispatched].sort(), [...WS_API_METHOD_TABLE.keys()].sort());

    const url = `${api.server.baseUrl.replace(/^http/, 'ws')}/ws-api/v3`;
    let client = await TestClient.open(url);
    const before = await snapshot();
    let sequence = 0;
    const anything: fc.Arbitrary<unknown> = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      junk,
      fc.integer(),
      fc.constant(undefined),
    );
    const signedParams = fc.record({
      signer: fc.constantFrom('hmac', 'ed25519', 'unsigned'),
      timestamp: fc.constantFrom('now', 'stale', 'junk'),
      extra: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), anything, { maxKeys: 2 }),
    });
    const request = fc.record({
      method: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...WS_API_METHODS) },
        { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
        { weight: 1, arbitrary: anything },
      ),
      params: fc.oneof(
        { weight: 3, arbitrary: signedParams },
        { weight: 2, arbitrary: fc.dictionary(fc.string({ maxLength: 16 }), anything, { maxKeys: 4 }) },
        {
          weight: 1,
          arbitrary: fc.record({
            subscriptionId: fc.oneof(fc.nat({ max: 3 }), fc.nat({ max: 3 }).map(String), anything),
          }),
        },
        { weight: 1, arbitrary: anything },
      ),
      frame: fc.oneof(
        { weight: 8, arbitrary: fc.constant('request') },
        { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
        {
          weight: 1,
          arbitrary: fc.constantFrom('[]', '{}', 'null', '{"id":{"a":1},"method":"ping"}', '{"id":-1}'),
        },
      ),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const id = `p-${++sequence}`;
        let frame: string;
        if (r.frame !== 'request') frame = r.frame;
        else {
          let params: unknown = r.params;
          if (typeof r.params === 'object' && r.params !== null && 'signer' in r.params) {
            const p = r.params as { signer: string; timestamp: string; extra: Record<string, unknown> };
            const now = api.now();
            const base: Record<string, string | number> = {
              timestamp: p.timestamp === 'now' ? now : p.timestamp === 'stale' ? now - 120_000 : 'soon',
            };
            for (const [k, v] of Object.entries(p.extra))
              if (typeof v === 'string' || typeof v === 'number') base[k] = v;
            params =
              p.signer === 'hmac'
                ? signParams({ ...base, apiKey: keys[0]!.apiKey }, keys[0]!.secretKey)
                : p.signer === 'ed25519'
                  ? signParamsEd25519({ ...base, apiKey: edKey.apiKey }, edKey.privateKey)
                  : { ...base, apiKey: keys[1]!.apiKey };
          }
          frame = JSON.stringify({ id, method: r.method, params });
        }
        // Every frame gets exactly one answer, before the answer to the ping sent after it.
        const barrier = `barrier-${sequence}`;
        const answers: unknown[] = [];
        const done = new Promise<void>((resolve) => {
          const collect = () =>
            client
              .next((m) => typeof m === 'object' && m !== null && !('event' in m))
              .then((m: { id?: unknown }) => {
                if (m.id === barrier) resolve();
                else {
                  answers.push(m);
                  void collect();
                }
              });
          void collect();
        });
        client.ws.send(frame);
        client.send({ id: barrier, method: 'ping' });
        const closed = client.closed.then(({ code }) => ({ closed: code }));
        const outcome = await Promise.race([done.then(() => ({ closed: undefined })), closed]);
        const where = `${frame.slice(0, 300)} -> ${JSON.stringify(answers).slice(0, 300)}`;
        if (outcome.closed !== undefined) {
          // A connection may end only after an error frame told the client why.
          const last = answers.at(-1) as { error?: { code?: unknown } } | undefined;
          assert.equal(
            typeof last?.error?.code,
            'number',
            `closed ${outcome.closed} without an error: ${where}`,
          );
          client = await TestClient.open(url);
          return;
        }
        assert.equal(answers.length, 1, where);
        const answer = answers[0] as { status: number; error?: { code: unknown; msg: unknown } };
        assert.ok(answer.status < 500, where);
        if (answer.status !== 200) {
          assert.equal(typeof answer.error?.code, 'number', where);
          assert.equal(typeof answer.error?.msg, 'string', where);
        }
      }),
      { seed: SEED, numRuns: RUNS * WS_API_METHODS.length * 2, endOnFailure: true },
    );
    await client.close();
    // Random parameters never make a whole order (symbol, side, type, quantity...), so whatever the
    // requests were, every one that could move money or orders failed, and nothing changed.
    assert.deepEqual(await snapshot(), before);
  });
});
