import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ListenKeyRegistry } from './listen-keys.ts';

describe('ListenKeyRegistry', () => {
  it('expires a key 60 minutes after its last keepalive, and reports the end once', () => {
    let now = 0;
    const keys = new ListenKeyRegistry({ clock: () => now });
    const ended: string[] = [];
    keys.onEnd((key) => ended.push(key));
    const key = keys.create(7, 'K7');
    now = 59 * 60_000;
    assert.ok(keys.keepalive(key, 7));
    now += 59 * 60_000;
    assert.deepEqual([keys.resolve(key)?.userId, keys.resolve(key)?.apiKey], [7, 'K7']);
    now += 60_000;
    keys.sweep();
    assert.equal(keys.resolve(key), undefined);
    assert.equal(keys.keepalive(key, 7), false);
    assert.deepEqual(ended, [key]);
    assert.notEqual(keys.create(7, 'K7'), key, 'an expired key is never handed out again');
  });

  it('closes a key at once and refuses unknown keys', () => {
    const keys = new ListenKeyRegistry();
    const key = keys.create(1, 'K1');
    assert.notEqual(keys.create(2, 'K2'), key);
    assert.ok(keys.close(key, 1));
    assert.equal(keys.close(key, 1), false);
    assert.equal(keys.resolve('x'.repeat(60)), undefined);
  });

  it('fails if the ttl is not positive', () => {
    assert.throws(() => new ListenKeyRegistry({ ttlMs: 0 }), /ttlMs 0 is invalid/);
  });
});
