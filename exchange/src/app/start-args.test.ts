import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from './config.ts';
import { parseStartArgs } from './server.ts';

test('npm start takes the one-shot --accept-log-loss=<seq> and nothing else', () => {
  assert.deepEqual(parseStartArgs([]), {});
  assert.deepEqual(parseStartArgs(['--accept-log-loss=1229']), { acceptLogLossAfterSeq: 1229 });
  for (const bad of [
    '--accept-log-loss',
    '--accept-log-loss=',
    '--accept-log-loss=-1',
    '--accept-log-loss=1e3',
  ]) {
    assert.throws(
      () => parseStartArgs([bad]),
      (error: unknown) => error instanceof ConfigError && error.message.includes(bad),
    );
  }
  assert.throws(() => parseStartArgs(['--port=1']), /unknown argument "--port=1"/);
});
