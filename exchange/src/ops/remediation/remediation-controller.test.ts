import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { RemediationController } from './remediation-controller.ts';
import type { AuditEntry, RemediationAudit, Supervisor } from './remediation-ports.ts';
import type { Alert } from './runbooks.ts';

class MemoryAudit implements RemediationAudit {
  readonly entries: AuditEntry[] = [];
  async record(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
  }
  async list(): Promise<AuditEntry[]> {
    return [...this.entries];
  }
}

function setup() {
  let now = 1_000_000;
  const calls: string[] = [];
  const supervisor: Supervisor = {
    restart: async (service) => {
      calls.push(`restart ${service}`);
    },
    failOverEngine: async () => {
      calls.push('failover');
    },
    addGateway: async () => {
      calls.push('add gateway');
    },
  };
  const audit = new MemoryAudit();
  const controller = new RemediationController(
    {
      supervisor,
      markets: { halt: async (symbol) => void calls.push(`halt ${symbol}`) },
      audit,
      logger: pino({ level: 'silent' }),
    },
    { clock: () => now, alertWindowMs: 60_000, maxRestarts: 2, stormWindowMs: 600_000 },
  );
  return { controller, audit, calls, advance: (ms: number) => (now += ms) };
}

const firing = (labels: Record<string, string>, startsAt = '2026-12-01T00:00:00Z'): Alert => ({
  status: 'firing',
  labels: { alertname: 'ProjectionStalled', ...labels },
  startsAt,
});

describe('RemediationController', () => {
  it('maps each remediation label to its runbook and audits what it did', async () => {
    const { controller, audit, calls } = setup();
    await controller.handle([
      firing({ remediation: 'restart', service: 'exchange' }),
      firing({ alertname: 'A', remediation: 'failover' }),
      firing({ alertname: 'B', remediation: 'scale-out' }),
      firing({ alertname: 'C', remediation: 'halt-market', symbol: 'BTCUSDT' }),
      firing({ alertname: 'D', remediation: 'none' }),
      firing({ alertname: 'E', remediation: 'reboot-the-world' }),
    ]);
    assert.deepEqual(calls, ['restart exchange', 'failover', 'add gateway', 'halt BTCUSDT']);
    assert.deepEqual(
      audit.entries.map((e) => [e.runbook, e.target, e.result.split(':')[0]]),
      [
        ['restart', 'exchange', 'done'],
        ['fail-over-engine', 'engine', 'done'],
        ['add-gateway', 'gateway', 'done'],
        ['halt-market', 'BTCUSDT', 'done'],
        ['none', '-', 'refused'],
        ['none', '-', 'refused'],
      ],
    );
  });

  it('never acts twice on one alert within its window (Alertmanager repeats it)', async () => {
    const { controller, audit, calls, advance } = setup();
    const alert = firing({ remediation: 'restart', service: 'exchange' });
    await controller.handle([alert]);
    advance(30_000);
    await controller.handle([alert]);
    assert.deepEqual(calls, ['restart exchange']);
    assert.equal(audit.entries.length, 1);
    // Resolved alerts change nothing.
    await controller.handle([{ ...alert, status: 'resolved' }]);
    assert.equal(audit.entries.length, 1);
  });

  it('refuses a restart storm: past maxRestarts of one service in the storm window', async () => {
    const { controller, audit, calls, advance } = setup();
    for (let i = 0; i < 3; i++) {
      await controller.handle([
        firing({ remediation: 'restart', service: 'exchange' }, `2026-12-01T00:0${i}:00Z`),
      ]);
      advance(61_000);
    }
    assert.deepEqual(calls, ['restart exchange', 'restart exchange']);
    assert.match(audit.entries[2]!.result, /^refused: 2 restarts of exchange .* restart storm/);
  });

  it('audits a failed action with its cause', async () => {
    const { audit } = setup();
    const controller = new RemediationController(
      {
        supervisor: {
          restart: async () => {
            throw new Error('no such service');
          },
          failOverEngine: async () => {},
          addGateway: async () => {},
        },
        markets: { halt: async () => {} },
        audit,
        logger: pino({ level: 'silent' }),
      },
      { clock: () => 0 },
    );
    await controller.handle([firing({ remediation: 'restart', service: 'ghost' })]);
    assert.equal(audit.entries[0]!.result, 'failed: no such service');
  });
});
