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

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/**
 * Starts `npm start`'s entry point as a child; resolves with its URL once it logs "listening" (and,
 * on a first start, has printed the demo banner on stderr).
 */
function spawnServer(dataDir: string, banner: boolean): Promise<Started> {
  const child = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      BOURSE_DATA_DIR: dataDir,
      BOURSE_PORT: '0',
      BOURSE_ADMIN_PORT: '0',
      BOURSE_METRICS_PORT: '0',
      BOURSE_MARKET_MAKER: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const ready = () => {
      const match = /"url":"([^"]+)"/.exec(out);
      if (match !== null && out.includes('"msg":"listening"') && (!banner || err.includes('REST ')))
        resolve({ child, url: match[1]!, stdout: () => out, stderr: () => err });
    };
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => {
      out += text;
      ready();
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      err += text;
      process.stderr.write(text);
      ready();
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
    const first = await spawnServer(dataDir, true);
    const alice = /alice\s+userId (\d+)\s+API key\s+(\w+)\s+secret key\s+(\w+)/.exec(first.stderr())!;
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
      .filter((l) => l !== '');
    assert.ok(
      log.every((l) => l.startsWith('{')),
      'stdout holds JSON lines only',
    );
    const requests = log
      .map((l) => JSON.parse(l) as { msg: string; reqId?: string })
      .filter((l) => l.msg === 'request');
    assert.equal(requests.length, answered);
    assert.ok(requests.every((l) => typeof l.reqId === 'string'));
    assert.ok(log.some((l) => l.includes('final snapshot')));
    assert.equal(first.stdout().includes(key.secretKey), false, 'the secret never reaches the log');
    assert.equal(first.stderr().split(key.secretKey).length, 2, 'the banner shows it once');

    const second = await spawnServer(dataDir, false);
    assert.equal(second.stderr().includes('secret key'), false, 'keys are shown only at the first start');
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
