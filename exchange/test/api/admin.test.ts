import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCommand } from '../../src/app/admin.ts';
import { signParams } from '../support/memory-api-keys.ts';
import { TestClient } from '../support/ws-client.ts';
import { ApiHarness, type ErrorBody } from './support/api-harness.ts';

const ADMIN_CLI = fileURLToPath(new URL('../../src/app/admin.ts', import.meta.url));

function cli(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [ADMIN_CLI, ...args],
      { env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? 1), stdout, stderr });
      },
    );
  });
}

describe('admin API and CLI', () => {
  let api: ApiHarness;

  before(async () => {
    api = await ApiHarness.start();
  });
  after(() => api.close());

  it('refuses requests without the admin token, and listens on 127.0.0.1 only', async () => {
    assert.equal((await api.admin('GET', '/admin/users', undefined, 'wrong-token-wrong-token')).status, 401);
    const anonymous = await fetch(`${api.server.adminUrl}/admin/users`);
    assert.equal(anonymous.status, 401);
    assert.match(api.server.adminUrl, /^http:\/\/127\.0\.0\.1:/);
  });

  it('creates users with keys and permissions, lists them without secrets', async () => {
    const created = await api.admin<{
      userId: number;
      apiKey: string;
      secretKey: string;
      permissions: string[];
    }>('POST', '/admin/users', { name: 'dave', permissions: ['READ'] });
    assert.equal(created.status, 200);
    assert.deepEqual(created.body.permissions, ['READ']);
    assert.match(created.body.secretKey, /^[A-Za-z0-9]{64}$/);
    const key2 = await api.admin<{ apiKey: string }>('POST', `/admin/users/${created.body.userId}/api-keys`, {
      permissions: ['READ', 'TRADE'],
    });
    assert.equal(key2.status, 200);
    const users = await api.admin<{ name: string; apiKeys: { apiKey: string }[] }[]>('GET', '/admin/users');
    const dave = users.body.find((u) => u.name === 'dave')!;
    assert.equal(dave.apiKeys.length, 2);
    assert.equal(JSON.stringify(users.body).includes(created.body.secretKey), false);
    assert.equal((await api.admin('POST', '/admin/users', { name: 'dave' })).status, 400);
    assert.equal(
      (await api.admin('POST', '/admin/users', { name: 'eve', permissions: ['ADMIN'] })).status,
      400,
    );
  });

  it('registers Ed25519 keys from a public key, with no secret, and lists their type', async () => {
    const pair = generateKeyPairSync('ed25519');
    const pem = pair.publicKey.export({ type: 'spki', format: 'pem' });
    const created = await api.admin<Record<string, unknown>>('POST', '/admin/users', {
      name: 'ivy',
      permissions: ['READ', 'TRADE'],
      publicKey: pem,
    });
    assert.equal(created.status, 200);
    assert.equal(created.body.keyType, 'ED25519');
    assert.equal('secretKey' in created.body, false);
    const hmac = await api.admin<Record<string, unknown>>(
      'POST',
      `/admin/users/${created.body.userId}/api-keys`,
      {},
    );
    assert.equal(hmac.body.keyType, 'HMAC');
    const second = await api.admin<Record<string, unknown>>(
      'POST',
      `/admin/users/${created.body.userId}/api-keys`,
      {
        permissions: ['READ'],
        publicKey: generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }),
      },
    );
    assert.deepEqual(
      [second.status, second.body.keyType, second.body.permissions],
      [200, 'ED25519', ['READ']],
    );
    const users = await api.admin<{ name: string; apiKeys: { apiKey: string; keyType: string }[] }[]>(
      'GET',
      '/admin/users',
    );
    assert.deepEqual(
      users.body.find((u) => u.name === 'ivy')!.apiKeys.map((k) => k.keyType),
      ['ED25519', 'HMAC', 'ED25519'],
    );
    const signed = await api.signedEd25519('GET', '/api/v3/account', {
      userId: created.body.userId as number,
      apiKey: created.body.apiKey as string,
      privateKey: pair.privateKey,
    });
    assert.equal(signed.status, 200, JSON.stringify(signed.body));
  });

  it('fails with 400 if the public key is not an Ed25519 PEM public key, and creates no user', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    const refused = await api.admin<{ error: string }>('POST', '/admin/users', {
      name: 'judy',
      publicKey: rsa,
    });
    assert.equal(refused.status, 400);
    assert.match(refused.body.error, /Ed25519/);
    const users = await api.admin<{ name: string }[]>('GET', '/admin/users');
    assert.equal(
      users.body.some((u) => u.name === 'judy'),
      false,
    );
    assert.equal((await api.admin('POST', '/admin/users', { name: 'judy', publicKey: 42 })).status, 400);
    assert.equal(
      (await api.admin('POST', '/admin/users/1/api-keys', { publicKey: 'not a key' })).status,
      400,
    );
  });

  it('credits deposits and runs withdrawals through request, complete and fail', async () => {
    const user = await api.user('frank', ['READ'], { USDT: '100.5' });
    const balances = async () =>
      (
        await api.admin<{ asset: string; free: string; locked: string }[]>(
          'GET',
          `/admin/users/${user.userId}/balances`,
        )
      ).body;
    assert.deepEqual(await balances(), [{ asset: 'USDT', free: '100.500000', locked: '0.000000' }]);
    const w1 = await api.admin<{ withdrawalId: string }>('POST', '/admin/withdrawals', {
      userId: user.userId,
      asset: 'USDT',
      amount: '40',
      withdrawalId: 'w-1',
    });
    assert.equal(w1.body.withdrawalId, 'w-1');
    assert.deepEqual(await balances(), [{ asset: 'USDT', free: '60.500000', locked: '40.000000' }]);
    assert.equal((await api.admin('POST', '/admin/withdrawals/w-1/complete')).status, 200);
    assert.deepEqual(await balances(), [{ asset: 'USDT', free: '60.500000', locked: '0.000000' }]);
    await api.admin('POST', '/admin/withdrawals', {
      userId: user.userId,
      asset: 'USDT',
      amount: '10',
      withdrawalId: 'w-2',
    });
    assert.equal((await api.admin('POST', '/admin/withdrawals/w-2/fail')).status, 200);
    assert.deepEqual(await balances(), [{ asset: 'USDT', free: '60.500000', locked: '0.000000' }]);
    assert.equal((await api.admin('POST', '/admin/withdrawals/w-2/fail')).status, 409);
    assert.equal(
      (await api.admin('POST', '/admin/withdrawals', { userId: user.userId, asset: 'USDT', amount: '1000' }))
        .status,
      409,
    );
    assert.equal(
      (
        await api.admin('POST', '/admin/deposits', {
          userId: user.userId,
          asset: 'USDT',
          amount: '1.0000001',
        })
      ).status,
      400,
    );
    assert.equal(
      (await api.admin('POST', '/admin/deposits', { userId: 9999, asset: 'USDT', amount: '1' })).status,
      404,
    );
    assert.equal(
      (await api.admin('POST', '/admin/deposits', { userId: user.userId, asset: 'DOGE', amount: '1' }))
        .status,
      400,
    );
  });

  it('lists, halts and resumes markets', async () => {
    const markets = await api.admin<{ symbol: string; status: string }[]>('GET', '/admin/markets');
    assert.deepEqual(
      markets.body.map((m) => m.symbol),
      ['BTCUSDT', 'ETHUSDT', 'ETHBTC'],
    );
    assert.equal((await api.admin('POST', '/admin/markets/ETHBTC/halt')).status, 200);
    assert.equal((await api.admin('POST', '/admin/markets/ETHBTC/halt')).status, 409);
    assert.equal((await api.admin<{ status: string }[]>('GET', '/admin/markets')).body[2]!.status, 'HALTED');
    assert.equal((await api.admin('POST', '/admin/markets/ETHBTC/resume')).status, 200);
  });

  it('lists a new asset and a new market while running, and the market trades at once', async () => {
    assert.equal((await api.admin('POST', '/admin/assets', { asset: 'SOL', decimals: 8 })).status, 200);
    assert.equal((await api.admin('POST', '/admin/assets', { asset: 'SOL', decimals: 8 })).status, 409);
    const spec = {
      symbol: 'SOLUSDT',
      base: 'SOL',
      quote: 'USDT',
      tickSize: '0.01',
      lotSize: '0.001',
      maxQty: '100000',
      minNotional: '1',
      makerFee: '0.0005',
    };
    for (const [change, status] of [
      [{ base: 'XYZ' }, 400],
      [{ tickSize: 'abc' }, 400],
      [{ tickSize: '0.0000001' }, 400],
      [{ makerFee: '1.5' }, 400],
      [{ makerFee: '1' }, 400],
      [{ selfTradePreventionMode: 'SOMETIMES' }, 400],
      [{ maxQty: undefined }, 400],
    ] as const) {
      const refused = await api.admin('POST', '/admin/markets', { ...spec, ...change });
      assert.equal(refused.status, status, JSON.stringify(change));
    }
    assert.equal((await api.admin('POST', '/admin/markets', spec)).status, 200);
    assert.equal((await api.admin('POST', '/admin/markets', spec)).status, 409, 'a symbol is listed once');

    type Info = { symbols: { symbol: string; filters: { filterType: string; tickSize?: string }[] }[] };
    const info = await api.get<Info>('/api/v3/exchangeInfo', { symbol: 'SOLUSDT' });
    assert.equal(info.status, 200, JSON.stringify(info.body));
    const filter = info.body.symbols[0]!.filters.find((f) => f.filterType === 'PRICE_FILTER');
    assert.equal(Number(filter!.tickSize), 0.01);
    const seller = await api.user('sol-seller', ['READ', 'TRADE'], { SOL: '10' });
    const buyer = await api.user('sol-buyer', ['READ', 'TRADE'], { USDT: '10000' });
    const place = (key: typeof seller, side: 'BUY' | 'SELL') =>
      api.signed<ErrorBody>('POST', '/api/v3/order', key, {
        symbol: 'SOLUSDT',
        side,
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '2',
        price: '150.25',
      });
    assert.equal((await place(seller, 'SELL')).status, 200);
    assert.equal((await place(buyer, 'BUY')).status, 200);
    const trades = await api.get<{ price: string; qty: string }[]>('/api/v3/trades', { symbol: 'SOLUSDT' });
    assert.deepEqual(
      trades.body.map((t) => [Number(t.price), Number(t.qty)]),
      [[150.25, 2]],
    );
    const ticker = await api.get<{ lastPrice: string; count: number }>('/api/v3/ticker/24hr', {
      symbol: 'SOLUSDT',
    });
    assert.deepEqual([Number(ticker.body.lastPrice), ticker.body.count], [150.25, 1]);
    const markets = await api.admin<{ symbol: string }[]>('GET', '/admin/markets');
    assert.ok(markets.body.some((m) => m.symbol === 'SOLUSDT'));
  });

  it("changes an API key's permissions and revokes it, effective at the next request", async () => {
    const user = await api.user('ivan', ['READ', 'TRADE'], { USDT: '1000' });
    const order = () =>
      api.signed<ErrorBody>('POST', '/api/v3/order', user, {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.001',
        price: '10000',
      });
    assert.equal((await order()).status, 200);
    const changed = await api.admin<{ permissions: string[] }>('PUT', `/admin/api-keys/${user.apiKey}`, {
      permissions: ['READ'],
    });
    assert.deepEqual(changed.body.permissions, ['READ']);
    assert.equal((await order()).body.code, -2015);
    assert.equal((await api.signed('GET', '/api/v3/account', user)).status, 200);
    assert.equal(
      (await api.admin('PUT', `/admin/api-keys/${user.apiKey}`, { permissions: ['SPEND'] })).status,
      400,
    );
    assert.equal(
      (await api.admin('PUT', '/admin/api-keys/NOSUCHKEY', { permissions: ['READ'] })).status,
      404,
    );

    assert.equal((await api.admin('DELETE', `/admin/api-keys/${user.apiKey}`)).status, 200);
    assert.equal((await api.signed<ErrorBody>('GET', '/api/v3/account', user)).body.code, -2015);
    assert.equal((await api.admin('DELETE', `/admin/api-keys/${user.apiKey}`)).status, 404);
    const users = await api.admin<{ name: string; apiKeys: unknown[] }[]>('GET', '/admin/users');
    assert.deepEqual(users.body.find((u) => u.name === 'ivan')!.apiKeys, []);
  });

  it("ends a revoked key's WebSocket API subscription at its next event, and refuses the key there too", async () => {
    const user = await api.user('wendy', ['READ'], { USDT: '10' });
    const ws = await TestClient.open(`${api.server.baseUrl.replace(/^http/, 'ws')}/ws-api/v3`);
    try {
      const subscribe = () =>
        ws.request({
          id: Math.random(),
          method: 'userDataStream.subscribe.signature',
          params: signParams({ apiKey: user.apiKey, timestamp: Date.now() }, user.secretKey),
        });
      const subscribed = await subscribe();
      assert.equal(subscribed.status, 200, JSON.stringify(subscribed));
      const deposit = () =>
        api.admin('POST', '/admin/deposits', { userId: user.userId, asset: 'USDT', amount: '1' });
      await deposit();
      const update = await ws.next((m) => m.event?.e === 'balanceUpdate');
      assert.equal(update.subscriptionId, subscribed.result.subscriptionId);
      await ws.next((m) => m.event?.e === 'outboundAccountPosition');

      assert.equal((await api.admin('DELETE', `/admin/api-keys/${user.apiKey}`)).status, 200);
      await deposit();
      const last = await ws.next((m) => m.event !== undefined);
      assert.deepEqual(
        [last.subscriptionId, last.event.e],
        [subscribed.result.subscriptionId, 'eventStreamTerminated'],
      );
      assert.notEqual((await subscribe()).status, 200);
    } finally {
      await ws.close();
    }
  });

  it('the CLI creates a user with an API key and credits a deposit, one line each', async () => {
    const env = { BOURSE_DATA_DIR: api.dataDir };
    const created = await cli(env, 'create-user', 'grace', '--permissions', 'READ,TRADE');
    assert.equal(created.code, 0, created.stderr);
    const user = JSON.parse(created.stdout) as { userId: number; apiKey: string; secretKey: string };
    const deposit = await cli(env, 'deposit', String(user.userId), 'BTC', '0.25');
    assert.equal(deposit.code, 0, deposit.stderr);
    const balances = JSON.parse((await cli(env, 'balances', String(user.userId))).stdout) as unknown[];
    assert.deepEqual(balances, [{ asset: 'BTC', free: '0.25000000', locked: '0.00000000' }]);
    const account = await api.signed<{ balances: { asset: string; free: string }[] }>(
      'GET',
      '/api/v3/account',
      { ...user },
    );
    assert.equal(account.body.balances.find((b) => b.asset === 'BTC')!.free, '0.25000000');
    const listed = await cli(env, 'users');
    assert.match(listed.stdout, /grace/);
    assert.equal(listed.stdout.includes(user.secretKey), false);
    assert.match((await cli(env, 'markets')).stdout, /BTCUSDT/);
    const w = await cli(env, 'withdraw', String(user.userId), 'BTC', '0.1', '--id', 'cli-w');
    assert.equal(w.code, 0, w.stderr);
    assert.equal((await cli(env, 'withdraw-complete', 'cli-w')).code, 0);
    assert.equal((await cli(env, 'add-asset', 'ADA', '6')).code, 0);
    const listed2 = await cli(
      env,
      'list-market',
      'ADAUSDT',
      'ADA',
      'USDT',
      '--tick-size',
      '0.0001',
      '--lot-size',
      '1',
      '--max-qty',
      '1000000',
    );
    assert.equal(listed2.code, 0, listed2.stderr);
    assert.match((await cli(env, 'markets')).stdout, /ADAUSDT/);
    assert.equal((await cli(env, 'halt', 'ETHUSDT')).code, 0);
    assert.equal((await cli(env, 'resume', 'ETHUSDT')).code, 0);
    const bad = await cli(env, 'deposit', String(user.userId), 'BTC');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /deposit takes 3 argument/);
    const refused = await cli(env, 'withdraw-fail', 'no-such-withdrawal');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /UNKNOWN_WITHDRAWAL/);
  });

  it('the CLI creates an Ed25519 key from a public key file or PEM text', async () => {
    const env = { BOURSE_DATA_DIR: api.dataDir };
    const pair = generateKeyPairSync('ed25519');
    const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const created = await cli(env, 'create-user', 'kate', '--public-key', pem);
    assert.equal(created.code, 0, created.stderr);
    const user = JSON.parse(created.stdout) as { userId: number; apiKey: string; keyType: string };
    assert.equal(user.keyType, 'ED25519');
    assert.equal(created.stdout.includes('secretKey'), false);
    const file = join(api.dataDir, 'kate-second.pem');
    const second = generateKeyPairSync('ed25519');
    writeFileSync(file, second.publicKey.export({ type: 'spki', format: 'pem' }));
    const key = await cli(
      env,
      'create-key',
      String(user.userId),
      '--public-key-file',
      file,
      '--permissions',
      'READ',
    );
    assert.equal(key.code, 0, key.stderr);
    const added = JSON.parse(key.stdout) as { apiKey: string; keyType: string; permissions: string[] };
    assert.deepEqual([added.keyType, added.permissions], ['ED25519', ['READ']]);
    const account = await api.signedEd25519<ErrorBody>('GET', '/api/v3/account', {
      userId: user.userId,
      apiKey: added.apiKey,
      privateKey: second.privateKey,
    });
    assert.equal(account.status, 200, JSON.stringify(account.body));
    const wrongPair = await api.signedEd25519<ErrorBody>('GET', '/api/v3/account', {
      userId: user.userId,
      apiKey: added.apiKey,
      privateKey: pair.privateKey,
    });
    assert.equal(wrongPair.body.code, -1022);
    const missing = await cli(
      env,
      'create-key',
      String(user.userId),
      '--public-key-file',
      join(api.dataDir, 'nope.pem'),
    );
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read the public key file/);
    const notEd = await cli(env, 'create-key', String(user.userId), '--public-key', 'ssh-ed25519 AAAA');
    assert.equal(notEd.code, 1);
    assert.match(notEd.stderr, /PEM \(SPKI\)/);
  });

  it('parses every CLI command into one admin call', () => {
    assert.deepEqual(parseCommand(['add-asset', 'SOL', '8']), {
      method: 'POST',
      path: '/admin/assets',
      body: { asset: 'SOL', decimals: 8 },
    });
    assert.deepEqual(
      parseCommand([
        'list-market',
        'SOLUSDT',
        'SOL',
        'USDT',
        '--tick-size',
        '0.01',
        '--lot-size',
        '0.001',
        '--max-qty',
        '1000',
        '--maker-fee',
        '0.0005',
      ]),
      {
        method: 'POST',
        path: '/admin/markets',
        body: {
          symbol: 'SOLUSDT',
          base: 'SOL',
          quote: 'USDT',
          tickSize: '0.01',
          lotSize: '0.001',
          maxQty: '1000',
          makerFee: '0.0005',
        },
      },
    );
    assert.deepEqual(parseCommand(['set-permissions', 'K1', '--permissions', 'READ']), {
      method: 'PUT',
      path: '/admin/api-keys/K1',
      body: { permissions: ['READ'] },
    });
    assert.throws(() => parseCommand(['set-permissions', 'K1']), /needs --permissions/);
    assert.deepEqual(parseCommand(['revoke-key', 'K1']), { method: 'DELETE', path: '/admin/api-keys/K1' });
    assert.deepEqual(parseCommand(['create-key', '7', '--public-key', 'PEM TEXT']), {
      method: 'POST',
      path: '/admin/users/7/api-keys',
      body: { publicKey: 'PEM TEXT' },
    });
    assert.deepEqual(parseCommand(['create-user', 'lee', '--public-key', 'PEM', '--permissions', 'READ']), {
      method: 'POST',
      path: '/admin/users',
      body: { name: 'lee', permissions: ['READ'], publicKey: 'PEM' },
    });
    assert.throws(
      () => parseCommand(['create-key', '7', '--public-key', 'A', '--public-key-file', 'B']),
      /not both/,
    );
    assert.deepEqual(parseCommand(['create-key', '7', '--permissions', 'READ']), {
      method: 'POST',
      path: '/admin/users/7/api-keys',
      body: { permissions: ['READ'] },
    });
    assert.throws(() => parseCommand(['launch']), /unknown command "launch"/);
    assert.throws(() => parseCommand([]), /no command/);
  });
});
