import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32c } from './crc32c.ts';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

test('matches the standard check value for "123456789"', () => {
  assert.equal(crc32c(ascii('123456789')), 0xe3069283);
});

// Vectors from RFC 3720 (iSCSI), appendix B.4.
test('matches the RFC 3720 vectors', () => {
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  const ascending = Uint8Array.from({ length: 32 }, (_, i) => i);
  assert.equal(crc32c(ascending), 0x46dd794e);
  const descending = Uint8Array.from({ length: 32 }, (_, i) => 31 - i);
  assert.equal(crc32c(descending), 0x113fdb5c);
});

test('is 0 for no bytes', () => {
  assert.equal(crc32c(new Uint8Array(0)), 0);
});

test('continues from a seed as if the inputs were concatenated', () => {
  const all = ascii('The quick brown fox jumps over the lazy dog, twice over.');
  for (const cut of [0, 1, 7, 8, 9, 23, all.length]) {
    const seeded = crc32c(all, cut, all.length, crc32c(all, 0, cut));
    assert.equal(seeded, crc32c(all), `cut at ${cut}`);
  }
});

test('honours start and end inside a larger buffer', () => {
  const framed = ascii('xx123456789yy');
  assert.equal(crc32c(framed, 2, 11), 0xe3069283);
});

test('changes when any single bit flips', () => {
  const data = ascii('sequenced command log record');
  const base = crc32c(data);
  for (let i = 0; i < data.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const copy = data.slice();
      copy[i] = copy[i]! ^ (1 << bit);
      assert.notEqual(crc32c(copy), base);
    }
  }
});
