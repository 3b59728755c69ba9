/**
 * Issue 12, item 1: a store derived from the log ahead of the log. Acknowledged orders, a SIGKILL,
 * then the newest journal segment's last record damaged (one byte flipped three bytes before the end
 * of the file), so the next start cuts it as a torn tail while the read model already holds it.
 * That start must refuse, naming both positions and the files; the documented operator action
 * (`--accept-log-loss=<seq>`) must bring the exchange back with no id issued twice, every read
 * answering 200, and the ledger's invariants holding.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EmbeddedExchange } from '../../src/app/embedded-exchange.ts';
import { type DemoKey, killLeftovers, ServerProcess } from '../support/server-process.ts';

const dirs: string[] = [];
after(() => {
  killLeftovers();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Order {
  readonly orderId: number;
  readonly status: string;
  readonly fills?: readonly { readonly tradeId: number }[];
}

class Client {
  readonly url: string;
  readonly admin: string;
  readonly adminToken: string;

  constructor(url: string, admin: string, adminToken: string) {
    this.url = url;
    this.admin = admin;
    this.adminToken = adminToken;
  }

  async signed<T>(method: string, path: string, key: DemoKey, params: Record<string, string | number>) {
    const query = new URLSearchParams({
      ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])),
      timestamp: String(Date.now()),
    }).toString();
    const signature = createHmac('sha256', key.secretKey).update(query).digest('hex');
    const response = await fetch(`${this.url}${path}?${query}&signature=${signature}`, {
      method,
      headers: { 'X-MBX-APIKEY': key.apiKey },
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  async get<T>(path: string) {
    const response = await fetch(`${this.url}${path}`);
    return { status: response.status, body: (await response.json()) as T };
  }

  async adminGet<T>(path: string) {
    const response = await fetch(`${this.admin}${path}`, {
      headers: { authorization: `Bearer ${this.adminToken}` },
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  order(key: DemoKey, side: 'BUY' | 'SELL', price: string, quantity = '0.01') {
    return this.signed<Order>('POST', '/api/v3/order', key, {
      symbol: 'BTCUSDT',
      side,
      type: 'LIMIT',
      timeInForce: 'GTC',
      price,
      quantity,
      newOrderRespType: 'FULL',
    });
  }
}

function newestSegment(dataDir: string): string {
  const dir = join(dataDir, 'journal');
  const segments = readdirSync(dir)
    .filter((name) => name.endsWith('.seg'))
    .sort();
  return join(dir, segments.at(-1)!);
}

test('a read model ahead of a damaged log stops the start; accepting the loss serves again with no id reissued', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bourse-restart-integrity-'));
  dirs.push(dataDir);

  // 1. Acknowledged orders and trades, all projected, then SIGKILL.
  const first = ServerProcess.start(dataDir);
  const { url, admin } = await first.listening();
  const keys = await first.demoKeys();
  const alice = keys.find((k) => k.name === 'alice')!;
  const bob = keys.find((k) => k.name === 'bob')!;
  const client = new Client(url, admin, readFileSync(join(dataDir, 'admin-token'), 'utf8').trim());
  const orderIds: number[] = [];
  const tradeIds: number[] = [];
  for (let i = 0; i < 10; i++) {
    const resting = await client.order(alice, 'BUY', `${50_000 + i}.00`);
    assert.equal(resting.status, 200, JSON.stringify(resting.body));
    orderIds.push(resting.body.orderId);
    const taker = await client.order(bob, 'SELL', `${50_000 + i}.00`);
    assert.equal(taker.status, 200, JSON.stringify(taker.body));
    orderIds.push(taker.body.orderId);
    for (const fill of taker.body.fills ?? []) tradeIds.push(fill.tradeId);
  }
  // The last acknowledged command: a resting order, which the damaged record will hold.
  const last = await client.order(alice, 'BUY', '40000.00');
  assert.equal(last.status, 200);
  orderIds.push(last.body.orderId);
  // A read from the projection waits until it holds every acknowledged command.
  const open = await client.signed<Order[]>('GET', '/api/v3/openOrders', alice, { symbol: 'BTCUSDT' });
  assert.equal(open.status, 200);
  assert.ok(open.body.some((o) => o.orderId === last.body.orderId));
  assert.ok(tradeIds.length >= 10, `trades: ${tradeIds.length}`);
  first.child.kill('SIGKILL');
  await first.exited;

  // 2. One byte flipped three bytes before the end of the newest segment.
  const segment = newestSegment(dataDir);
  const bytes = readFileSync(segment);
  bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
  writeFileSync(segment, bytes);

  // 3. A clear refusal naming both positions and the files.
  const refused = ServerProcess.start(dataDir);
  const exit = await Promise.race([refused.exited, refused.listening().then(() => ({ code: 'listening' }))]);
  assert.equal(exit.code, 1, refused.stderr);
  const fatal = refused.lines.find((l) => l.msg === 'start refused');
  assert.ok(fatal !== undefined, `no refusal logged: ${JSON.stringify(refused.lines)}`);
  const message = (fatal.err as { message: string }).message;
  const flag = /--accept-log-loss=(\d+)/.exec(message);
  assert.ok(flag !== null, message);
  const logEnd = Number(flag[1]);
  assert.match(message, new RegExp(`read-model\\.sqlite is at seq ${logEnd + 1}`));
  assert.match(message, new RegExp(`journal ends at seq ${logEnd}`));
  assert.ok(message.includes(segment), `the message names the segment: ${message}`);
  const cut = refused.lines.find((l) => l.msg === 'recovery: journal tail cut');
  assert.ok(cut !== undefined, 'the cut tail is logged');
  assert.equal(cut.file, segment);
  assert.equal(cut.cutRecordsAfterSeq, logEnd);
  assert.ok((cut.bytesCut as number) > 0 && typeof cut.offset === 'number');
  assert.match(refused.stderr, /ahead of it/);

  // 4. The operator accepts the loss: the exchange serves again.
  const accepted = ServerProcess.start(dataDir, [`--accept-log-loss=${logEnd}`]);
  const again = await accepted.listening();
  const client2 = new Client(again.url, again.admin, client.adminToken);
  const resumed = accepted.lines.find((l) => l.msg === 'recovery: resumed after the accepted loss');
  assert.ok(resumed !== undefined, 'the resumption is logged');
  assert.ok(
    existsSync(join(dataDir, `lost-after-seq-${logEnd}`, 'read-model.sqlite')),
    'the old read model is kept',
  );

  // No order id or trade id is issued twice.
  const newResting = await client2.order(alice, 'BUY', '50100.00');
  assert.equal(newResting.status, 200, JSON.stringify(newResting.body));
  assert.ok(
    newResting.body.orderId > Math.max(...orderIds),
    `order id ${newResting.body.orderId} after ${Math.max(...orderIds)}`,
  );
  const newTaker = await client2.order(bob, 'SELL', '50100.00');
  assert.equal(newTaker.status, 200, JSON.stringify(newTaker.body));
  const newTrade = newTaker.body.fills?.[0]?.tradeId;
  assert.ok(newTrade !== undefined && newTrade > Math.max(...tradeIds), `trade id ${newTrade}`);

  // Every read answers 200.
  const reads = [
    await client2.signed('GET', '/api/v3/order', alice, {
      symbol: 'BTCUSDT',
      orderId: newResting.body.orderId,
    }),
    await client2.signed('GET', '/api/v3/order', alice, { symbol: 'BTCUSDT', orderId: orderIds[0]! }),
    await client2.signed('GET', '/api/v3/openOrders', alice, { symbol: 'BTCUSDT' }),
    await client2.signed('GET', '/api/v3/account', alice, {}),
    await client2.signed('GET', '/api/v3/myTrades', bob, { symbol: 'BTCUSDT' }),
    await client2.signed('GET', '/api/v3/allOrders', alice, { symbol: 'BTCUSDT' }),
    await client2.get('/api/v3/trades?symbol=BTCUSDT'),
    await client2.adminGet(`/admin/users/${alice.userId}/balances`),
    await client2.get('/ready'),
  ];
  for (const [i, reply] of reads.entries())
    assert.equal(reply.status, 200, `read ${i}: ${JSON.stringify(reply.body)}`);
  // The lost order is gone, and said so: the exchange no longer knows it.
  const lost = await client2.signed('GET', '/api/v3/order', alice, {
    symbol: 'BTCUSDT',
    orderId: last.body.orderId,
  });
  assert.equal(lost.status, 400);

  accepted.child.kill('SIGTERM');
  assert.equal((await accepted.exited).code, 0, accepted.stderr);

  // 5. The ledger's invariants hold, in the engine and in the read model, and a plain restart needs no flag.
  const exchange = await EmbeddedExchange.open({ dataDir, snapshotsOffThread: false });
  try {
    assert.deepEqual(exchange.engine.checkInvariants(), []);
    assert.deepEqual(await exchange.readModel.checkInvariants(), []);
    assert.equal(exchange.projector.appliedSeq, exchange.engine.lastSeq);
  } finally {
    await exchange.close({ finalSnapshot: false });
  }
});
