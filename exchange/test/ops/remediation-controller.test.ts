import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { startRemediation } from '../../src/app/remediation-controller.ts';

/** Alertmanager's webhook body (version 4) for one alert. */
function webhook(status: 'firing' | 'resolved') {
  return {
    version: '4',
    status,
    receiver: 'remediation-controller',
    alerts: [
      {
        status,
        labels: {
          alertname: 'ProjectionStalled',
          severity: 'page',
          remediation: 'restart',
          service: 'exchange',
        },
        annotations: { summary: 'The read model is more than 10 s behind the engine' },
        startsAt: '2026-12-01T23:59:00Z',
        fingerprint: 'c0ffee',
      },
    ],
  };
}

describe('the remediation controller service', () => {
  it('restarts the service an alert names through the local supervisor, once per alert, and audits it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bourse-remediation-'));
    const running = await startRemediation(
      {
        host: '127.0.0.1',
        port: 0,
        auditPath: join(dir, 'audit.sqlite'),
        services: { exchange: [process.execPath, '-e', 'setInterval(() => {}, 1000)'] },
      },
      pino({ level: 'silent' }),
    );
    try {
      const before = running.supervisor.pid('exchange');
      assert.ok(before !== undefined);
      const post = (body: unknown) =>
        fetch(`${running.url}/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      assert.equal((await post(webhook('firing'))).status, 200);
      const after = running.supervisor.pid('exchange');
      assert.ok(after !== undefined && after !== before, 'a new process runs the service');
      // Alertmanager repeats the firing alert, then resolves it: neither acts again.
      assert.equal((await post(webhook('firing'))).status, 200);
      assert.equal((await post(webhook('resolved'))).status, 200);
      assert.equal(running.supervisor.pid('exchange'), after);
      const audit = (await (await fetch(`${running.url}/audit`)).json()) as {
        runbook: string;
        target: string;
        result: string;
      }[];
      assert.deepEqual(
        audit.map((e) => [e.runbook, e.target, e.result]),
        [['restart', 'exchange', 'done']],
      );
      assert.equal((await post({ nope: true })).status, 400);
      assert.equal((await fetch(`${running.url}/health`)).status, 200);
    } finally {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
