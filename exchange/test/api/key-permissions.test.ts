import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { signParams, signParamsEd25519 } from '../support/memory-api-keys.ts';
import { TestClient } from '../support/ws-client.ts';
import { ApiHarness, type ApiKey, type Ed25519ApiKey, type ErrorBody } from './support/api-harness.ts';

const ADMIN_CLI = fileURLToPath(new URL('../../src/app/admin.ts', import.meta.url));

function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [ADMIN_CLI, ...args],
      { env: { ...process.env, ...env } },
      (error, _out, stderr) =>
        resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? 1), stderr }),
    );
  });
}

/**
 * One permission policy for every entry point: every key can read (as on Binance), so a key
 * without READ cannot be made, and one stored without it by an earlier release can do nothing.
 */
describe('API key permissions: one policy for REST, the WebSocket API and listen keys', () => {
  let api: ApiHarness;
  const wsUrl = () => `${api.server.baseUrl.replace(/^http/, 'ws')}`;

  before(async () => {
    api = await ApiHarness.start();
  });
  after(() => api.close());

  it('fails if a key would have no permissions or lack READ: admin API 400, CLI exit 1, nothing created', async () => {
    for (const permissions of [[], ['TRADE']]) {
      const user = await api.admin<{ error: string }>('POST', '/admin/users', {
        name: 'nobody',
        permissions,
      });
      assert.equal(user.status, 400);
      assert.match(user.body.error, /lack READ: every API key can read/);
    }
    assert.equal(
      (await api.admin<{ name: string }[]>('GET', '/admin/users')).body.some((u) => u.name === 'nobody'),
      false,
    );
    const reader = await api.user('reader-only', ['READ']);
    const key = await api.admin<{ error: string }>('POST', `/admin/users/${reader.userId}/api-keys`, {
      permissions: [],
    });
    assert.equal(key.status, 400);
    const change = await api.admin<{ error: string }>('PUT', `/admin/api-keys/${reader.apiKey}`, {
      permissions: ['TRADE'],
    });
    assert.equal(change.status, 400);
    assert.match(change.body.error, /lack READ/);
    assert.equal((await api.signed('GET', '/api/v3/account', reader)).status, 200, 'the key kept READ');

    const env = { BOURSE_DATA_DIR: api.dataDir };
    const refused = await cli(env, 'create-user', 'cli-nobody', '--permissions', 'TRADE');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /lack READ/);
    const changed = await cli(env, 'set-permissions', reader.apiKey, '--permissions', 'TRADE');
    assert.equal(changed.code, 1);
    assert.match(changed.stderr, /lack READ/);
  });

  it("ends a listen key's stream once the key that opened it is revoked: no more of its user's events", async () => {
    const user = await api.user('listener', ['READ'], { USDT: '10' });
    const created = await api.raw<{ listenKey: string }>('POST', '/api/v3/userDataStream', '', {
      apiKey: user.apiKey,
    });
    const stream = await TestClient.open(`${wsUrl()}/ws/${created.body.listenKey}`);
    const deposit = () =>
      api.admin('POST', '/admin/deposits', { userId: user.userId, asset: 'USDT', amount: '1' });
    await deposit();
    assert.equal((await stream.next((m) => m.e === 'balanceUpdate')).a, 'USDT');
    await stream.next((m) => m.e === 'outboundAccountPosition');

    assert.equal((await api.admin('DELETE', `/admin/api-keys/${user.apiKey}`)).status, 200);
    await deposit();
    const next = await stream.next();
    assert.equal(next.e, 'listenKeyExpired', `the stream went on: ${JSON.stringify(next)}`);
    assert.equal((await stream.closed).code, 1000);
  });

  describe('a key stored without READ by an earlier release', () => {
    let hmac: ApiKey;
    let ed: Ed25519ApiKey;

    before(async () => {
      hmac = await api.user('legacy-hmac', ['READ', 'TRADE'], { USDT: '10' });
      ed = await api.ed25519User('legacy-ed', ['READ'], { USDT: '10' });
      // What a release that allowed "permissions": [] stored: the row itself, edited while stopped.
      await api.server.close();
      const db = new DatabaseSync(join(api.dataDir, 'accounts.sqlite'));
      db.prepare("UPDATE api_keys SET permissions = '' WHERE api_key IN (?, ?)").run(hmac.apiKey, ed.apiKey);
      db.close();
      api = await api.restart();
    });

    it('is listed with its permissions as stored', async () => {
      const users = (
        await api.admin<{ name: string; apiKeys: { permissions: string[] }[] }[]>('GET', '/admin/users')
      ).body;
      assert.deepEqual(users.find((u) => u.name === 'legacy-hmac')?.apiKeys[0]?.permissions, []);
    });

    it('reads nothing over REST and opens no listen key (-2015)', async () => {
      assert.equal((await api.signed<ErrorBody>('GET', '/api/v3/account', hmac)).body.code, -2015);
      assert.equal(
        (await api.signed<ErrorBody>('GET', '/api/v3/openOrders', hmac, { symbol: 'BTCUSDT' })).body.code,
        -2015,
      );
      const listen = await api.raw<ErrorBody>('POST', '/api/v3/userDataStream', '', { apiKey: hmac.apiKey });
      assert.deepEqual([listen.status, listen.body.code], [401, -2015]);
    });

    it('neither logs on nor subscribes over the WebSocket API (-2015)', async () => {
      const ws = await TestClient.open(`${wsUrl()}/ws-api/v3`);
      try {
        const logon = await ws.request({
          id: 1,
          method: 'session.logon',
          params: signParamsEd25519({ apiKey: ed.apiKey, timestamp: api.now() }, ed.privateKey),
        });
        assert.equal(logon.error?.code, -2015, JSON.stringify(logon));
        const status = await ws.request({ id: 2, method: 'session.status' });
        assert.equal(status.result.apiKey, null);
        const subscribe = await ws.request({
          id: 3,
          method: 'userDataStream.subscribe.signature',
          params: signParams({ apiKey: hmac.apiKey, timestamp: api.now() }, hmac.secretKey),
        });
        assert.equal(subscribe.error?.code, -2015, JSON.stringify(subscribe));
      } finally {
        await ws.close();
      }
    });

    it('works again once an operator gives it READ', async () => {
      const fixed = await api.admin('PUT', `/admin/api-keys/${hmac.apiKey}`, { permissions: ['READ'] });
      assert.equal(fixed.status, 200);
      assert.equal((await api.signed('GET', '/api/v3/account', hmac)).status, 200);
    });
  });
});
