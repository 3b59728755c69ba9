import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LocalBook } from '../src/lib/local-book.ts';

test('diffs buffered before the snapshot are replayed after it, older ones dropped', () => {
  const book = new LocalBook();
  assert.ok(book.update({ U: 5, u: 6, b: [['10.00', '1']], a: [] }));
  assert.ok(
    book.update({
      U: 7,
      u: 9,
      b: [
        ['10.00', '0'],
        ['9.50', '2'],
      ],
      a: [['11.00', '3']],
    }),
  );
  assert.ok(
    book.load({
      lastUpdateId: 6,
      bids: [
        ['10.00', '1'],
        ['9.00', '4'],
      ],
      asks: [],
    }),
  );
  assert.deepEqual(book.bids(5), [
    ['9.50', '2'],
    ['9.00', '4'],
  ]);
  assert.deepEqual(book.asks(5), [['11.00', '3']]);
  assert.equal(book.lastUpdateId, 9);
});

test('a gap after the snapshot asks for a reload', () => {
  const book = new LocalBook();
  assert.ok(book.load({ lastUpdateId: 10, bids: [], asks: [] }));
  assert.ok(book.update({ U: 11, u: 12, b: [], a: [['5', '1']] }));
  assert.equal(book.update({ U: 14, u: 15, b: [], a: [] }), false);
});

test('a snapshot older than the first buffered diff is refused', () => {
  const book = new LocalBook();
  book.update({ U: 20, u: 21, b: [], a: [] });
  assert.equal(book.load({ lastUpdateId: 10, bids: [], asks: [] }), false);
});

test('levels sort by exact decimal value, not as text', () => {
  const book = new LocalBook();
  book.load({
    lastUpdateId: 1,
    bids: [
      ['9.9', '1'],
      ['10.1', '1'],
      ['100', '1'],
    ],
    asks: [],
  });
  assert.deepEqual(
    book.bids(3).map(([price]) => price),
    ['100', '10.1', '9.9'],
  );
});
