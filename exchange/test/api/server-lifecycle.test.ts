import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ApiHarness, type ApiKey, encode, sign } from './support/api-harness.ts';

const SERVER = fileURLToPath(new URL('../../src/app/server.ts', import.meta.url));

/** Starts `npm start`'s entry point as a child; resolves with its URL once it logs "listening". */
function spawnServer(dataDir: string): Promise<{ child: ChildProcess; url: string; stdout: () => string }> {
  const child = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      BOURSE_DATA_DIR: dataDir,
      BOURSE_PORT: '0',
      BOURSE_ADMIN_PORT: '0',
      BOURSE_MARKET_MAKER: 'false',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => {
      out += text;
      const match = /"url":"([^"]+)"/.exec(out);
      if (match !== null && out.includes('"msg":"listening"'))
        resolve({ child, url: match[1]!, stdout: () => out });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

function signedOrder(url: string, key: ApiKey, price: string): Promise<Response> {
  const payload = encode({
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '0.01',
    price,
    timestamp: Date.now(),
  });
  return fetch(`${url}/api/v3/order`, {
    method: 'POST',
    headers: { 'X-MBX-APIKEY': key.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
    body: `${payload}&signature=${sign(payload, key.secretKey)}`,
  });
}

describe('the server process', () => {
  it('prints demo keys once, logs JSON with request ids, drains on SIGTERM, snapshots, and restarts with its data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bourse-life-'));
    const first = await spawnServer(dataDir);
    const alice = /alice\s+userId (\d+)\s+API key\s+(\w+)\s+secret key\s+(\w+)/.exec(first.stdout())!;
    const key: ApiKey = { userId: Number(alice[1]), apiKey: alice[2]!, secretKey: alice[3]! };
    // Orders in flight when SIGTERM arrives still get their answer.
    const inFlight = Array.from({ length: 20 }, (_, i) => signedOrder(first.url, key, String(1000 + i)));
    await new Promise((r) => setTimeout(r, 5));
    const exited = new Promise<number | null>((resolve) => first.child.on('exit', (code) => resolve(code)));
    first.child.kill('SIGTERM');
    const statuses = await Promise.all(
      inFlight.map((p) =>
        p.then(
          (r) => r.status,
          () => 0,
        ),
      ),
    );
    assert.equal(await exited, 0);
    const answered = statuses.filter((s) => s === 200).length;
    const log = first
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    const requests = log
      .map((l) => JSON.parse(l) as { msg: string; reqId?: string })
      .filter((l) => l.msg === 'request');
    assert.equal(requests.length, answered);
    assert.ok(requests.every((l) => typeof l.reqId === 'string'));
    assert.ok(log.some((l) => l.includes('final snapshot')));
    assert.equal(
      first.stdout().split(key.secretKey).length,
      2,
      'the secret appears once: in the banner, never in the log',
    );

    const second = await spawnServer(dataDir);
    assert.equal(second.stdout().includes('secret key'), false, 'keys are shown only at the first start');
    const open = encode({ symbol: 'BTCUSDT', timestamp: Date.now() });
    const r = await fetch(`${second.url}/api/v3/openOrders?${open}&signature=${sign(open, key.secretKey)}`, {
      headers: { 'X-MBX-APIKEY': key.apiKey },
    });
    assert.equal(
      ((await r.json()) as unknown[]).length,
      answered,
      'every acknowledged order survived the restart',
    );
    const stopped = new Promise((resolve) => second.child.on('exit', resolve));
    second.child.kill('SIGTERM');
    assert.equal(await stopped, 0);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves https with a self-signed certificate made for localhost', async () => {
    const api = await ApiHarness.start({ tls: 'self-signed' });
    try {
      assert.match(api.server.baseUrl, /^https:/);
      const ca = readFileSync(join(api.dataDir, 'tls', 'cert.pem'), 'utf8');
      const body = await new Promise<string>((resolve, reject) => {
        request(`https://localhost:${api.server.port}/api/v3/ping`, { ca }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          res.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      assert.equal(body, '{}');
    } finally {
      await api.close();
    }
  });
});
