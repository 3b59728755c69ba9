import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExchangeHealth } from './embedded-exchange.ts';
import { readiness } from './health.ts';

const HEALTHY: ExchangeHealth = {
  sequencerRunning: true,
  logWritable: true,
  lastSeq: 1_000,
  readModelSeq: 990,
  readModelFaulted: false,
};

test('ready while the read model is within its lag bound, not beyond it', () => {
  assert.equal(readiness(HEALTHY, { maxReadModelLag: 10 }).status, 200);
  const lagging = readiness(HEALTHY, { maxReadModelLag: 9 });
  assert.equal(lagging.status, 503);
  assert.deepEqual((lagging.body as { problems: string[] }).problems, [
    'the read model lags the engine by 10 commands (bound 9)',
  ]);
});

test('a stopped projection or sequencer makes it unready, each reason listed', () => {
  const answer = readiness(
    { ...HEALTHY, readModelFaulted: true, sequencerRunning: false, sequencerStoppedBy: 'disk full' },
    { maxReadModelLag: 100 },
  );
  assert.equal(answer.status, 503);
  assert.deepEqual((answer.body as { problems: string[] }).problems, [
    'the sequencer stopped: disk full',
    'the read model stopped projecting (see the log for its fault)',
  ]);
});

test('a failed snapshot is shown but does not stop orders', () => {
  const answer = readiness({ ...HEALTHY, snapshotFailure: 'ENOSPC' }, { maxReadModelLag: 100 });
  assert.equal(answer.status, 200);
  assert.equal((answer.body as { snapshotFailure?: string }).snapshotFailure, 'ENOSPC');
});
