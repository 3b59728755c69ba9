import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { EngineEvent } from '../domain/events.ts';
import { Projector } from './projector.ts';
import type { ApplyResult, ReadModelWriter } from './read-model-port.ts';

const event = (seq: number): EngineEvent => ({ type: 'MarketHalted', seq, ts: 0, symbol: 'X' });

/** Records the batches it is given; fails the batch that holds `failAt`. */
function recordingPort(startSeq = 0, failAt = -1) {
  const batches: { seqs: number[]; through: number | undefined }[] = [];
  let last = startSeq;
  const port = {
    lastAppliedSeq: async () => last,
    apply: async (events: readonly EngineEvent[], through?: number): Promise<ApplyResult> => {
      if (events.some((e) => e.seq === failAt)) throw new Error('disk full');
      batches.push({ seqs: events.map((e) => e.seq), through });
      last = Math.max(last, through ?? events[events.length - 1]?.seq ?? last);
      return { applied: events.length, skipped: 0, lastAppliedSeq: last };
    },
  };
  return { port: port as unknown as ReadModelWriter, batches };
}

it('batches what is published in one turn and cuts at command boundaries', async () => {
  const { port, batches } = recordingPort();
  const projector = new Projector(port, { maxBatchEvents: 3 });
  await projector.start();
  projector.publish([event(1), event(1)]);
  projector.publish([event(2), event(2)]);
  projector.publish([], 3);
  projector.publish([event(4)]);
  await projector.flush();
  assert.deepEqual(batches, [
    { seqs: [1, 1, 2, 2], through: 2 },
    { seqs: [4], through: 4 },
  ]);
  assert.equal(projector.appliedSeq, 4);
});

it('moves the position past trailing commands without events', async () => {
  const { port, batches } = recordingPort();
  const projector = new Projector(port);
  await projector.start();
  projector.publish([event(1)]);
  projector.publish([], 2);
  await projector.flush();
  assert.deepEqual(batches, [{ seqs: [1], through: 2 }]);
});

it('starts from the port position', async () => {
  const { port } = recordingPort(41);
  const projector = new Projector(port);
  assert.equal(await projector.start(), 41);
  assert.equal(projector.appliedSeq, 41);
});

it('stops on a fault, tells onFault once, and rejects flush with the error', async () => {
  const { port } = recordingPort(0, 2);
  const faults: unknown[] = [];
  const projector = new Projector(port, { maxBatchEvents: 1, onFault: (error) => faults.push(error) });
  await projector.start();
  projector.publish([event(1)]);
  projector.publish([event(2)]);
  await assert.rejects(projector.flush(), /disk full/);
  projector.publish([event(3)]);
  await assert.rejects(projector.flush(), /disk full/);
  assert.equal(faults.length, 1);
  assert.equal(projector.appliedSeq, 1);
});

it('fails if an event of another command is published with it', () => {
  const projector = new Projector(recordingPort().port);
  assert.throws(() => projector.publish([event(1), event(2)]), /seq 1 differs from command seq 2/);
});

it('fails if maxBatchEvents is not a positive integer, quoting it', () => {
  assert.throws(() => new Projector(recordingPort().port, { maxBatchEvents: 0 }), /maxBatchEvents 0/);
});

it('wakes readers waiting for a position once a batch reaches it, and fails them if the port fails', async () => {
  const { port } = recordingPort();
  const projector = new Projector(port);
  await projector.start();
  const woken: number[] = [];
  projector.publish([event(1)]);
  projector.publish([event(2)]);
  const waits = [2, 1].map((seq) => projector.whenApplied(seq).then(() => woken.push(seq)));
  await Promise.all(waits);
  assert.deepEqual(woken, [1, 2]);
  await projector.whenApplied(2);

  const failing = recordingPort(0, 3);
  const faulty = new Projector(failing.port, { onFault: () => {} });
  await faulty.start();
  faulty.publish([event(3)]);
  await assert.rejects(faulty.whenApplied(3), /disk full/);
  await assert.rejects(faulty.whenApplied(4), /disk full/);
});

/** Lets pending immediates and microtasks run `turns` times. */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

it('gathers events for gatherMs before a batch, and cuts the wait short for a waiting reader', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { port, batches } = recordingPort();
  const projector = new Projector(port, { gatherMs: 50 });
  await projector.start();
  projector.publish([event(1)]);
  await turns(5);
  assert.deepEqual(batches, [], 'nothing is sent before the window ends');
  projector.publish([event(2)]);
  t.mock.timers.tick(50);
  await turns(5);
  assert.deepEqual(batches, [{ seqs: [1, 2], through: 2 }], 'one batch for the window');

  projector.publish([event(3)]);
  let caughtUp = false;
  void projector.whenApplied(3).then(() => {
    caughtUp = true;
  });
  await turns(5);
  assert.equal(caughtUp, true, 'a waiting reader does not wait out the window');
  assert.deepEqual(batches.at(-1), { seqs: [3], through: 3 });
});
