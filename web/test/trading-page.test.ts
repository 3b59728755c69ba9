import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ApiHarness, type ApiKey } from '../../exchange/test/api/support/api-harness.ts';
import { collectPageErrors, launchBrowser, recordForeignRequests } from './support/browser.ts';

const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url);

let harness: ApiHarness;
let browser: Browser;
let trader: ApiKey;

before(async () => {
  // The demo markets with the market maker's quotes; its interval is long, so the book holds still.
  harness = await ApiHarness.start({ marketMaker: true, marketMakerIntervalMs: 600_000 });
  trader = await harness.user('page-trader', ['READ', 'TRADE'], { USDT: '50000', BTC: '1' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await harness?.close();
});

interface Order {
  orderId: number;
  status: string;
  price: string;
}

async function openPage(
  width: number,
  height: number,
): Promise<{ page: Page; foreign: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height } });
  const foreign = await recordForeignRequests(page, new URL(harness.server.baseUrl).host);
  const errors = collectPageErrors(page);
  await page.goto(`${harness.server.baseUrl}/#BTCUSDT`);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, foreign, errors };
}

async function signIn(page: Page): Promise<void> {
  // By keyboard: the fields take focus and Enter submits.
  await page.focus('#sign-in input[name="apiKey"]');
  await page.keyboard.type(trader.apiKey);
  await page.keyboard.press('Tab');
  await page.keyboard.type(trader.secretKey);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#signed-in:not([hidden])');
  assert.equal(
    await page.inputValue('#sign-in input[name="secret"]'),
    '',
    'the secret is cleared from the form',
  );
}

async function fillOrder(page: Page, type: string, fields: Record<string, string>): Promise<void> {
  await page.selectOption('#order-form select[name="type"]', type);
  for (const [name, value] of Object.entries(fields)) await page.fill(`#order-form [name="${name}"]`, value);
  await page.click('#place');
}

test('sign in, place a limit order, see it in the book and in open orders, cancel it', async () => {
  const { page, foreign, errors } = await openPage(1400, 900);
  await signIn(page);
  await page.click('#side-buy');
  await fillOrder(page, 'LIMIT', { price: '30000.00', quantity: '0.0100' });
  await page.waitForFunction(() => document.querySelector('#order-status')?.textContent?.includes('NEW'));

  const open = await harness.signed<Order[]>('GET', '/api/v3/openOrders', trader, { symbol: 'BTCUSDT' });
  assert.equal(open.body.length, 1);
  const order = open.body[0]!;
  assert.equal(order.price, '30000.000000');
  await page.waitForSelector(`#open-orders tr[data-order-id="${order.orderId}"]`);
  // The book shows the order's level, kept from the depth stream.
  await page.waitForFunction(() =>
    [...document.querySelectorAll('#book-bids .price')].some((e) => e.textContent === '30000'),
  );

  await page.click(`#open-orders tr[data-order-id="${order.orderId}"] button`);
  await page.waitForSelector(`#open-orders tr[data-order-id="${order.orderId}"]`, { state: 'detached' });
  await page.waitForFunction(
    () => ![...document.querySelectorAll('#book-bids .price')].some((e) => e.textContent === '30000'),
  );
  const canceled = await harness.signed<Order>('GET', '/api/v3/order', trader, {
    symbol: 'BTCUSDT',
    orderId: order.orderId,
  });
  assert.equal(canceled.body.status, 'CANCELED');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: new URL('trading-page.png', SCREENSHOTS).pathname });
  assert.deepEqual(foreign, [], 'the page loads nothing from another host');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a market order against the market maker: the trade, the last candle and the balance match the API', async () => {
  const { page, foreign, errors } = await openPage(1400, 900);
  await signIn(page);
  const before = await harness.signed<{ balances: { asset: string; free: string }[] }>(
    'GET',
    '/api/v3/account',
    trader,
  );
  const btcBefore = before.body.balances.find((b) => b.asset === 'BTC')!.free;
  await page.click('#side-buy');
  await fillOrder(page, 'MARKET', { quantity: '0.0010' });
  await page.waitForFunction(() => document.querySelector('#order-status')?.textContent?.includes('FILLED'));

  const trades = await harness.signed<{ id: number; price: string; qty: string }[]>(
    'GET',
    '/api/v3/myTrades',
    trader,
    { symbol: 'BTCUSDT' },
  );
  assert.ok(trades.body.length > 0, 'the order traded');
  for (const t of trades.body) await page.waitForSelector(`#trade-history tr[data-trade-id="${t.id}"]`);

  const account = await harness.signed<{ balances: { asset: string; free: string }[] }>(
    'GET',
    '/api/v3/account',
    trader,
  );
  const btcAfter = account.body.balances.find((b) => b.asset === 'BTC')!.free;
  assert.notEqual(btcAfter, btcBefore, 'the order moved the BTC balance');
  const shown = Number(btcAfter).toString();
  await page.waitForFunction(
    (text) => document.querySelector('#balances tr[data-asset="BTC"] td:nth-child(2)')?.textContent === text,
    shown,
  );

  // The chart's newest candle closes at the market's last trade.
  const last = await harness.get<{ price: string }[]>('/api/v3/trades', { symbol: 'BTCUSDT', limit: 1 });
  const lastPrice = last.body[0]!.price;
  await page.waitForFunction(
    (price) =>
      (window as unknown as { bourse: { chart: { last?: { close: string } } } }).bourse.chart.last?.close ===
      price,
    lastPrice,
  );
  assert.deepEqual(foreign, []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('on a phone-sized screen the page fits its width and keeps the order form', async () => {
  const { page, foreign } = await openPage(390, 844);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  assert.ok(await page.isVisible('#order-form'));
  await page.screenshot({ path: new URL('trading-page-phone.png', SCREENSHOTS).pathname, fullPage: false });
  assert.deepEqual(foreign, []);
  await page.close();
});

test("an order the exchange refuses shows Binance's message", async () => {
  const { page } = await openPage(1400, 900);
  await signIn(page);
  await page.click('#side-sell');
  // 1 BTC is the trader's whole balance after the test above bought some; 5 BTC is more than it has.
  await fillOrder(page, 'LIMIT', { price: '90000.00', quantity: '5.0000' });
  await page.waitForFunction(() => document.querySelector('#order-status')?.className === 'error');
  const text = await page.textContent('#order-status');
  assert.match(text ?? '', /insufficient balance/i);
  await page.close();
});
