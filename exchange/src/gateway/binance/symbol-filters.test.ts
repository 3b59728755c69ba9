import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BTCUSDT } from '../../../test/support/engine-driver.ts';
import { MatchingEngine } from '../../engine/engine.ts';
import { symbolFilterFailure } from './symbol-filters.ts';

/** BTC 8 decimals, USDT 6: tick 0.01 USDT, lot 0.0001 BTC, min notional 5 USDT. */
const SPEC = { ...BTCUSDT, minNotional: 5_000_000 };

describe('symbolFilterFailure', () => {
  it('refuses exactly what the engine refuses for its filters (the engine as oracle)', () => {
    const engine = new MatchingEngine();
    let seq = 0;
    const send = (command: object) => engine.apply({ ...command, seq: ++seq, ts: 1 } as never);
    send({ type: 'AddAsset', asset: 'BTC', decimals: 8 });
    send({ type: 'AddAsset', asset: 'USDT', decimals: 6 });
    send({ type: 'ListMarket', ...SPEC });
    // Rich enough that the balance never decides: only the filters do.
    send({ type: 'Deposit', userId: 1, asset: 'USDT', amount: 9e15 });
    send({ type: 'Deposit', userId: 1, asset: 'BTC', amount: 9e14 });
    const amount = fc.oneof(
      fc.integer({ min: 0, max: 2_000_000_000 }),
      fc.constantFrom(0, 5_000, 10_000, 20_000, 5_000_000),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('LIMIT', 'LIMIT_MAKER', 'MARKET'),
        amount,
        amount,
        fc.boolean(),
        (orderType, price, quantity, byQuote) => {
          const order =
            orderType === 'MARKET'
              ? byQuote
                ? { orderType, quoteOrderQty: price }
                : { orderType, quantity }
              : {
                  orderType,
                  price: price * 1000,
                  quantity,
                  ...(orderType === 'LIMIT' && { timeInForce: 'IOC' }),
                };
          const full = { userId: 1, symbol: 'BTCUSDT', side: 'SELL', ...order } as const;
          const events = send({ type: 'PlaceOrder', ...full });
          const rejected = events.find((e) => e.type === 'Rejected');
          const engineSays = rejected?.type === 'Rejected' ? rejected.reason : null;
          const filterReasons = new Set([
            'INVALID_PRICE',
            'PRICE_NOT_ON_TICK',
            'INVALID_QUANTITY',
            'QUANTITY_NOT_ON_LOT',
            'QUANTITY_BELOW_MIN',
            'QUANTITY_ABOVE_MAX',
            'BELOW_MIN_NOTIONAL',
          ]);
          const expected = engineSays !== null && filterReasons.has(engineSays) ? engineSays : null;
          assert.equal(symbolFilterFailure(full as never, SPEC, 8), expected);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
