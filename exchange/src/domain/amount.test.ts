import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AmountFormatError, formatAmount, mulDiv, parseAmount } from './amount.ts';

describe('parseAmount', () => {
  it('parses decimal strings exactly', () => {
    assert.equal(parseAmount('0.1', 8), 10_000_000);
    assert.equal(parseAmount('1', 8), 100_000_000);
    assert.equal(parseAmount('0.00000001', 8), 1);
    assert.equal(parseAmount('123.45', 2), 12_345);
    assert.equal(parseAmount('90071992.54740991', 8), Number.MAX_SAFE_INTEGER);
  });

  it('accepts trailing zeros beyond the precision, which change nothing', () => {
    assert.equal(parseAmount('1.500000000000', 2), 150);
  });

  it('rejects more decimals than the asset has instead of rounding', () => {
    assert.throws(() => parseAmount('0.000000001', 8), AmountFormatError);
    assert.throws(() => parseAmount('1.005', 2), /more than 2 decimal places/);
  });

  it('rejects what is not a plain non-negative decimal', () => {
    for (const bad of ['', '-1', '1e5', '0x10', '.5', '5.', ' 1', '1,5', 'NaN', 'Infinity', '+1']) {
      assert.throws(() => parseAmount(bad, 8), AmountFormatError, bad);
    }
  });

  it('rejects values past 2^53 minor units', () => {
    assert.throws(() => parseAmount('90071992.54740992', 8), /too large/);
  });

  it('round-trips through formatAmount for every safe amount', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 0, max: 12 }),
        (n, d) => {
          assert.equal(parseAmount(formatAmount(n, d), d), n);
        },
      ),
    );
  });
});

describe('formatAmount', () => {
  it('writes exactly the asset decimals', () => {
    assert.equal(formatAmount(10_000_000, 8), '0.10000000');
    assert.equal(formatAmount(1, 8), '0.00000001');
    assert.equal(formatAmount(12_345, 2), '123.45');
    assert.equal(formatAmount(7, 0), '7');
    assert.equal(formatAmount(-150, 2), '-1.50');
    assert.equal(formatAmount(123456789012345678901234567890n, 8), '1234567890123456789012.34567890');
  });
});

describe('mulDiv', () => {
  const exact = (a: number, b: number, d: number, up: boolean) => {
    const p = BigInt(a) * BigInt(b);
    let q = p / BigInt(d);
    if (up && q * BigInt(d) !== p) q += 1n;
    return q > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(q);
  };

  it('equals exact bigint arithmetic, rounding down and up', () => {
    const safe = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(
        safe,
        safe,
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.boolean(),
        (a, b, d, up) => {
          assert.equal(mulDiv(a, b, d, up), exact(a, b, d, up));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('is exact where floats are not', () => {
    // 3e10 * 3e9 = 9e19 overflows 2^53; a float would lose the low digits.
    assert.equal(mulDiv(30_000_000_001, 300_000_007, 100_000_000, false), 90_000_002_103);
    assert.equal(
      mulDiv(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 1, false),
      Number.POSITIVE_INFINITY,
    );
    assert.equal(mulDiv(7, 3, 2, false), 10);
    assert.equal(mulDiv(7, 3, 2, true), 11);
  });
});
