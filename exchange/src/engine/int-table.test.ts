import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { IntTable } from './int-table.ts';

/**
 * Random sets and deletes against a Map. Keys come from a few clustered ranges (so probe runs form,
 * wrap around the table's end and get shifted back on delete) and from the whole safe range.
 */
describe('IntTable', () => {
  it('answers as a Map does after any mix of sets and deletes', () => {
    const key = fc.oneof(
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 0, max: 5_000 }).map((k) => k * 16),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), key), { minLength: 1, maxLength: 3000, size: 'max' }),
        (steps) => {
          const table = new IntTable<number>();
          const map = new Map<number, number>();
          steps.forEach(([isSet, k], i) => {
            if (isSet) {
              table.set(k, i);
              map.set(k, i);
            } else assert.equal(table.delete(k), map.delete(k), `delete ${k}`);
            assert.equal(table.size, map.size);
          });
          for (const [k, v] of map) assert.equal(table.get(k), v, `key ${k}`);
          for (const [, k] of steps) if (!map.has(k)) assert.equal(table.get(k), undefined);
          assert.deepEqual(
            [...table.allValues()].sort((a, b) => a - b),
            [...map.values()].sort((a, b) => a - b),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
