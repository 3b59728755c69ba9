import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ApiHarness } from '../../exchange/test/api/support/api-harness.ts';
import { collectPageErrors, launchBrowser, recordForeignRequests } from './support/browser.ts';

const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url);

let harness: ApiHarness;
let browser: Browser;

before(async () => {
  harness = await ApiHarness.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await harness?.close();
});

interface Balance {
  asset: string;
  free: string;
}

test('the console credits a deposit, and halts and resumes a market, behind the admin token', async () => {
  const user = await harness.user('console-user', ['READ', 'TRADE']);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const foreign = await recordForeignRequests(page, new URL(harness.server.adminUrl).host);
  const errors = collectPageErrors(page);
  await page.goto(`${harness.server.adminUrl}/console`);

  // A wrong token opens nothing.
  await page.fill('#token-form input[name="token"]', 'not-the-admin-token');
  await page.press('#token-form input[name="token"]', 'Enter');
  await page.waitForSelector('#messages li.error');
  assert.ok(await page.isHidden('#console'));

  await page.fill('#token-form input[name="token"]', harness.server.adminToken);
  await page.press('#token-form input[name="token"]', 'Enter');
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector(`#users tr[data-user-id="${user.userId}"]`);

  await page.fill('#deposit input[name="userId"]', String(user.userId));
  await page.fill('#deposit input[name="asset"]', 'USDT');
  await page.fill('#deposit input[name="amount"]', '1234.5');
  await page.click('#deposit button[type="submit"]');
  await page.waitForSelector('#balances tr[data-asset="USDT"]');
  const balances = await harness.admin<Balance[]>('GET', `/admin/users/${user.userId}/balances`);
  assert.equal(balances.body.find((b) => b.asset === 'USDT')?.free, '1234.500000');
  assert.equal(await page.textContent('#balances tr[data-asset="USDT"] td:nth-child(2)'), '1234.500000');

  const status = async () => {
    const info = await harness.get<{ symbols: { symbol: string; status: string }[] }>(
      '/api/v3/exchangeInfo',
      {
        symbol: 'ETHUSDT',
      },
    );
    return info.body.symbols[0]!.status;
  };
  await page.click('#markets tr[data-symbol="ETHUSDT"] button');
  await page.waitForFunction(
    () =>
      document.querySelector('#markets tr[data-symbol="ETHUSDT"] td:nth-child(4)')?.textContent !== 'TRADING',
  );
  assert.notEqual(await status(), 'TRADING');
  await page.screenshot({ path: new URL('operator-console.png', SCREENSHOTS).pathname });
  await page.click('#markets tr[data-symbol="ETHUSDT"] button');
  await page.waitForFunction(
    () =>
      document.querySelector('#markets tr[data-symbol="ETHUSDT"] td:nth-child(4)')?.textContent === 'TRADING',
  );
  assert.equal(await status(), 'TRADING');
  assert.deepEqual(foreign, [], 'the console loads nothing from another host');
  assert.deepEqual(
    errors.filter((e) => !e.includes('401')),
    [],
  );
  await page.close();
});
