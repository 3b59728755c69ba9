import assert from 'node:assert/strict';
import { getPriority } from 'node:os';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';

const MODULE = new URL('./thread-priority.ts', import.meta.url).href;

test('a worker that steps back lowers its own priority, not the process', {
  skip: process.platform !== 'linux' && 'nice values are per thread on Linux only',
}, async () => {
  const before = getPriority(0);
  const code = `
    const { parentPort } = require('node:worker_threads');
    const { getPriority } = require('node:os');
    import(${JSON.stringify(MODULE)}).then(({ stepBack }) => {
      stepBack(7);
      parentPort.postMessage(getPriority(0));
    });`;
  const worker = new Worker(code, { eval: true });
  const workerPriority = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.equal(workerPriority, Math.max(before, 7));
  assert.equal(getPriority(0), before, 'the main thread keeps its priority');
});
