import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDraft, type OrderDraft } from '../src/trade/order-draft.ts';
import { rulesOf } from '../src/trade/symbol-rules.ts';

const rules = rulesOf({
  symbol: 'BTCUSDT',
  status: 'TRADING',
  baseAsset: 'BTC',
  quoteAsset: 'USDT',
  orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET'],
  filters: [
    { filterType: 'PRICE_FILTER', minPrice: '0.01', maxPrice: '1000000.00', tickSize: '0.01' },
    { filterType: 'LOT_SIZE', minQty: '0.0001', maxQty: '9000.0000', stepSize: '0.0001' },
    { filterType: 'NOTIONAL', minNotional: '5.000000', applyMinToMarket: true, maxNotional: '0' },
  ],
});

const draft = (over: Partial<OrderDraft>): OrderDraft => ({
  side: 'BUY',
  type: 'LIMIT',
  price: '60000.00',
  quantity: '0.0010',
  byQuote: false,
  quoteOrderQty: '',
  stopPrice: '',
  timeInForce: 'GTC',
  ...over,
});

test('a limit order on the steps passes with its exact notional', () => {
  const check = checkDraft(draft({}), rules);
  assert.ok(check.ok);
  assert.equal(check.notional, '60.000000');
  assert.deepEqual(check.params, {
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    price: '60000.00',
    timeInForce: 'GTC',
    quantity: '0.0010',
  });
});

test('off-step prices and quantities and small notionals name their field', () => {
  assert.deepEqual(pick(checkDraft(draft({ price: '60000.005' }), rules)), 'price');
  assert.deepEqual(pick(checkDraft(draft({ quantity: '0.00015' }), rules)), 'quantity');
  assert.deepEqual(pick(checkDraft(draft({ price: '1.00', quantity: '1.0000' }), rules)), 'quantity');
  assert.deepEqual(
    pick(checkDraft(draft({ type: 'MARKET', byQuote: true, quoteOrderQty: '4.99' }), rules)),
    'quoteOrderQty',
  );
});

test('a market order by quote amount sends quoteOrderQty and no quantity', () => {
  const check = checkDraft(draft({ type: 'MARKET', byQuote: true, quoteOrderQty: '25' }), rules);
  assert.ok(check.ok);
  assert.deepEqual(check.params, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '25' });
});

function pick(check: ReturnType<typeof checkDraft>): string | undefined {
  return check.ok ? undefined : check.field;
}
