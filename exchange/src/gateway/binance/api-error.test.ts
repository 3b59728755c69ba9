import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RejectReason } from '../../domain/reject-reason.ts';
import { BinanceCode, rejectionError, rejectionTable } from './api-error.ts';

describe('the rejection table', () => {
  it('maps every engine rejection reason', () => {
    assert.deepEqual(Object.keys(rejectionTable()).sort(), Object.values(RejectReason).sort());
  });

  it("gives order-level reasons the operation's code: -2010 on a new order, -2011 on a cancel", () => {
    assert.equal(rejectionError('INSUFFICIENT_BALANCE', 'NEW_ORDER').code, BinanceCode.NEW_ORDER_REJECTED);
    assert.equal(rejectionError('UNKNOWN_ORDER', 'CANCEL').code, BinanceCode.CANCEL_REJECTED);
    assert.equal(rejectionError('UNKNOWN_ORDER', 'QUERY').code, BinanceCode.NO_SUCH_ORDER);
  });

  it('maps filter failures to -1013 with the filter named as Binance does', () => {
    const filters: [RejectReason, string][] = [
      ['PRICE_NOT_ON_TICK', 'PRICE_FILTER'],
      ['QUANTITY_NOT_ON_LOT', 'LOT_SIZE'],
      ['QUANTITY_BELOW_MIN', 'LOT_SIZE'],
      ['QUANTITY_ABOVE_MAX', 'LOT_SIZE'],
      ['BELOW_MIN_NOTIONAL', 'NOTIONAL'],
      ['ABOVE_MAX_NOTIONAL', 'NOTIONAL'],
    ];
    for (const [reason, filter] of filters) {
      const error = rejectionError(reason, 'NEW_ORDER');
      assert.equal(error.code, -1013, reason);
      assert.equal(error.message, `Filter failure: ${filter}`);
    }
    assert.equal(rejectionError('UNKNOWN_SYMBOL', 'CANCEL').code, -1121);
    assert.equal(rejectionError('INVALID_TIME_IN_FORCE', 'NEW_ORDER').code, -1115);
  });
});
