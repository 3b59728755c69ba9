import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UnstampedCommand } from '../domain/commands.ts';
import { MatchingEngine } from '../engine/engine.ts';
import type { LogAppender, LogRecord } from '../journal/log-port.ts';
import { decodeCommand } from './command-codec.ts';
import { Sequencer, SequencerStoppedError } from './sequencer.ts';

/** A log whose appends become durable only when the test says so, in any order. */
class ManualLog implements LogAppender {
  readonly appended: { record: LogRecord; durable: () => void; fail: (e: Error) => void }[] = [];
  append(): Promise<void> {
    throw new Error('the sequencer appends one record at a time');
  }
  appendOne(record: LogRecord): Promise<void> {
    return new Promise((resolve, reject) => this.appended.push({ record, durable: resolve, fail: reject }));
  }
  lastSeq(): number {
    return 0;
  }
}

const asset = (name: string): UnstampedCommand => ({ type: 'AddAsset', asset: name, decimals: 8 });
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Sequencer', () => {
  it('stamps consecutive seqs and non-decreasing times, and logs the command itself', async () => {
    const log = new ManualLog();
    const times = [1_000, 900, 1_100];
    const sequencer = new Sequencer(new MatchingEngine(), log, { clock: () => times.shift()! });
    for (const name of ['AAA', 'BBB', 'CCC']) void sequencer.submit(asset(name));
    assert.deepEqual(
      log.appended.map((a) => [a.record.seq, a.record.ts]),
      [
        [1, 1_000],
        [2, 1_000],
        [3, 1_100],
      ],
    );
    const first = log.appended[0]!.record;
    assert.deepEqual(decodeCommand(first.payload, first.seq, first.ts), {
      ...asset('AAA'),
      seq: 1,
      ts: 1_000,
    });
  });

  it('applies and acknowledges nothing before it is durable, then everything in seq order', async () => {
    const log = new ManualLog();
    const engine = new MatchingEngine();
    const sequencer = new Sequencer(engine, log, { clock: () => 1 });
    const acks: number[] = [];
    const results = ['AAA', 'BBB', 'CCC'].map((name) =>
      sequencer.submit(asset(name)).then((r) => acks.push(r.seq)),
    );
    log.appended[2]!.durable();
    log.appended[1]!.durable();
    await settle();
    assert.equal(engine.lastSeq, 0, 'nothing applied while seq 1 is not durable');
    assert.deepEqual(acks, []);
    log.appended[0]!.durable();
    await Promise.all(results);
    assert.deepEqual(acks, [1, 2, 3]);
    assert.equal(engine.assets.all().length, 3);
  });

  it('publishes each command’s events to subscribers before acknowledging it', async () => {
    const log = new ManualLog();
    const sequencer = new Sequencer(new MatchingEngine(), log, { clock: () => 1 });
    const seen: string[] = [];
    sequencer.subscribe((events, command) => seen.push(`${command.seq}:${events[0]?.type}`));
    const result = sequencer.submit(asset('AAA')).then(() => seen.push('ack'));
    log.appended[0]!.durable();
    await result;
    assert.deepEqual(seen, ['1:AssetAdded', 'ack']);
  });

  it('stops on a log failure: the failed and every later command are refused, none applied', async () => {
    const log = new ManualLog();
    const engine = new MatchingEngine();
    const sequencer = new Sequencer(engine, log, { clock: () => 1 });
    const first = sequencer.submit(asset('AAA'));
    const second = sequencer.submit(asset('BBB'));
    log.appended[0]!.fail(new Error('disk gone'));
    await assert.rejects(first, /disk gone/);
    await assert.rejects(second, /disk gone/);
    await assert.rejects(sequencer.submit(asset('CCC')), SequencerStoppedError);
    log.appended[1]!.durable();
    await settle();
    assert.equal(engine.lastSeq, 0);
  });

  it('refuses to start when the engine and the log disagree', () => {
    const log = new ManualLog();
    log.lastSeq = () => 5;
    assert.throws(
      () => new Sequencer(new MatchingEngine(), log, { clock: () => 1 }),
      /recover before sequencing/,
    );
  });
});
