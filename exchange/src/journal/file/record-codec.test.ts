import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32c } from '../crc32c.ts';
import type { LogRecord } from '../log-port.ts';
import { encodeRecord, parseRecords, recordBytes } from './record-codec.ts';

const payload = new TextEncoder().encode('PlaceOrder');
const traceparent = new TextEncoder().encode('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');

describe('record codec', () => {
  it('writes a record without a context byte for byte as the format before contexts existed', () => {
    const buf = Buffer.alloc(64);
    const end = encodeRecord(buf, 0, 7, 1_767_225_600_123, payload);
    // Written by the codec of the commit before contexts were added, for this seq, ts and payload.
    assert.equal(
      buf.subarray(0, end).toString('hex'),
      '0a00000007000000000000007ba8da769b0100009d93bb17506c6163654f72646572',
    );
    assert.equal(end, recordBytes(payload, undefined));
  });

  it('carries a context beside the payload, flagged in the length word, and reads both back', () => {
    const buf = Buffer.alloc(256);
    let end = encodeRecord(buf, 0, 1, 100, payload, traceparent);
    assert.equal(end, recordBytes(payload, traceparent));
    assert.equal(buf.readUInt32LE(0) >>> 31, 1, 'the top bit of the length word says a context follows');
    end = encodeRecord(buf, end, 2, 101, payload);
    const out: LogRecord[] = [];
    const outcome = parseRecords(buf, 0, end, 0, 1, 1024, out);
    assert.equal(outcome.problem, undefined);
    assert.deepEqual(
      out.map((r) => [
        r.seq,
        Buffer.from(r.payload).toString(),
        r.context && Buffer.from(r.context).toString(),
      ]),
      [
        [1, 'PlaceOrder', Buffer.from(traceparent).toString()],
        [2, 'PlaceOrder', undefined],
      ],
    );
  });

  it('fails a record whose context overruns it, even with a good CRC', () => {
    const buf = Buffer.alloc(256);
    const end = encodeRecord(buf, 0, 1, 100, payload, traceparent);
    buf.writeUInt16LE(200, 24); // the context claims more bytes than the record has
    buf.writeUInt32LE(crc32c(buf, 24, end, crc32c(buf, 0, 20)), 20);
    const outcome = parseRecords(buf, 0, end, 0, 1, 1024, []);
    assert.match(outcome.problem ?? '', /context length 200 exceeds the record/);
  });
});
