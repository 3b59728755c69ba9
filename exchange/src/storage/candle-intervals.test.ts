import assert from 'node:assert/strict';
import { it } from 'node:test';
import { bucketCloseTime, bucketOpenTime, CANDLE_INTERVALS, isCandleInterval } from './candle-intervals.ts';

it('aligns 4h and 1d buckets to midnight UTC', () => {
  const ts = Date.UTC(2025, 5, 15, 13, 47, 12, 345);
  assert.equal(bucketOpenTime(ts, '4h'), Date.UTC(2025, 5, 15, 12));
  assert.equal(bucketOpenTime(ts, '1d'), Date.UTC(2025, 5, 15));
  assert.equal(bucketOpenTime(ts, '15m'), Date.UTC(2025, 5, 15, 13, 45));
  assert.equal(bucketCloseTime(Date.UTC(2025, 5, 15), '1d'), Date.UTC(2025, 5, 16) - 1);
});

it('puts a boundary millisecond in the new bucket and the one before it in the old', () => {
  const midnight = Date.UTC(2025, 0, 1);
  for (const interval of CANDLE_INTERVALS) {
    assert.equal(bucketOpenTime(midnight, interval), midnight, interval);
    assert.ok(bucketOpenTime(midnight - 1, interval) < midnight, interval);
  }
});

it('knows its intervals', () => {
  assert.ok(isCandleInterval('4h'));
  assert.ok(!isCandleInterval('3m'));
  assert.ok(!isCandleInterval('toString'));
});
