import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ApiHarness, type ApiKey } from '../../exchange/test/api/support/api-harness.ts';
import { launchBrowser } from './support/browser.ts';

let harness: ApiHarness;
let browser: Browser;
let trader: ApiKey;

/** A port that was free a moment ago: the restarted server must come back on the same one. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

before(async () => {
  harness = await ApiHarness.start({ port: await freePort() });
  trader = await harness.user('reconnect-trader', ['READ', 'TRADE'], { USDT: '10000' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await harness?.close();
});

test('a lost connection shows on the page, which comes back by itself and resyncs its book', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${harness.server.baseUrl}/#BTCUSDT`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.fill('#sign-in input[name="apiKey"]', trader.apiKey);
  await page.fill('#sign-in input[name="secret"]', trader.secretKey);
  await page.click('#sign-in button[type="submit"]');
  await page.waitForSelector('#user-state[data-state="open"]');
  await page.waitForSelector('#market-state[data-state="open"]');

  const restarting = harness.restart();
  // While the server is away the page says so.
  await page.waitForSelector('#market-state[data-state="closed"], #market-state[data-state="connecting"]');
  harness = await restarting;
  await page.waitForSelector('#market-state[data-state="open"]');
  await page.waitForSelector('#user-state[data-state="open"]');

  // After the reconnect the book follows the stream again: an order placed now shows in it.
  const placed = await harness.signed<{ orderId: number }>('POST', '/api/v3/order', trader, {
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    price: '25000.00',
    quantity: '0.0100',
  });
  assert.equal(placed.status, 200);
  await page.waitForFunction(() =>
    [...document.querySelectorAll('#book-bids .price')].some((e) => e.textContent === '25000'),
  );
  await page.waitForSelector(`#open-orders tr[data-order-id="${placed.body.orderId}"]`);
  await page.close();
});
