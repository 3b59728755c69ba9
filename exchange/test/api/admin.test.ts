import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCommand } from '../../src/app/admin.ts';
import { ApiHarness } from './support/api-harness.ts';

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
    assert.equal((await cli(env, 'halt', 'ETHUSDT')).code, 0);
    assert.equal((await cli(env, 'resume', 'ETHUSDT')).code, 0);
    const bad = await cli(env, 'deposit', String(user.userId), 'BTC');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /deposit takes 3 argument/);
    const refused = await cli(env, 'withdraw-fail', 'no-such-withdrawal');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /UNKNOWN_WITHDRAWAL/);
  });

  it('parses every CLI command into one admin call', () => {
    assert.deepEqual(parseCommand(['create-key', '7', '--permissions', 'READ']), {
      method: 'POST',
      path: '/admin/users/7/api-keys',
      body: { permissions: ['READ'] },
    });
    assert.throws(() => parseCommand(['launch']), /unknown command "launch"/);
    assert.throws(() => parseCommand([]), /no command/);
  });
});
