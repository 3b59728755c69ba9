import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { startWebService } from '../../exchange/src/app/web.ts';
import { DEFAULT_WEB_ROOT } from '../../exchange/src/app/web-pages.ts';

test('the web service serves the page, its assets, its config and the health path the definitions name', async () => {
  const service = await startWebService(
    { host: '127.0.0.1', port: 0, webRoot: DEFAULT_WEB_ROOT, apiOrigin: 'https://api.example.test' },
    pino({ level: 'silent' }),
  );
  try {
    const base = `http://127.0.0.1:${service.port}`;
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(
      page.headers.get('content-security-policy') ?? '',
      /connect-src 'self' https:\/\/api\.example\.test wss:\/\/api\.example\.test/,
    );
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script !== undefined, 'the page names its bundled script');
    const asset = await fetch(`${base}${script}`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    assert.deepEqual(await (await fetch(`${base}/config.json`)).json(), {
      apiOrigin: 'https://api.example.test',
    });
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const missing = await fetch(`${base}/../package.json`);
    assert.equal(missing.status, 404, 'only files of the build are served');
  } finally {
    await service.close();
  }
});
