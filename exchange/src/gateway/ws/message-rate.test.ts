import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageRate } from './message-rate.ts';

describe('MessageRate', () => {
  it('allows `limit` messages in any window and refuses the next until the oldest leaves it', () => {
    const rate = new MessageRate(5, 1_000);
    for (const at of [0, 200, 400, 600, 800]) assert.equal(rate.take(at), true, `at ${at}`);
    assert.equal(rate.take(999), false, 'a sixth within the second');
    assert.equal(rate.take(1_000), true, 'the message at 0 has left the window');
    assert.equal(rate.take(1_199), false, 'the one at 200 has not');
    assert.equal(rate.take(1_200), true);
  });

  it('does not count a refused message', () => {
    const rate = new MessageRate(1, 1_000);
    assert.equal(rate.take(0), true);
    assert.equal(rate.take(500), false);
    assert.equal(rate.take(1_000), true, 'only the message at 0 was counted');
  });

  it('fails if the limit or the window is not positive, quoting it', () => {
    assert.throws(() => new MessageRate(0, 1_000), /limit 0 is invalid/);
    assert.throws(() => new MessageRate(1.5, 1_000), /limit 1.5 is invalid/);
    assert.throws(() => new MessageRate(5, 0), /window 0 ms is invalid/);
  });
});
