/**
 * The remediation controller (the service the cloud stack deploys on port 8085): Alertmanager's
 * webhook at POST /alerts, GET /health, GET /audit. Locally it supervises the services it is given
 * and restarts them as runbooks say:
 *
 *   BOURSE_REMEDIATION_SERVICES='{"exchange":["node","exchange/src/app/server.ts"]}' \
 *     node exchange/src/app/remediation-controller.ts
 *
 * The ECS supervisor (AWS) is not built yet: this root wires the local one.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { LocalSupervisor } from '../ops/remediation/local-supervisor.ts';
import { RemediationController } from '../ops/remediation/remediation-controller.ts';
import type { MarketControls } from '../ops/remediation/remediation-ports.ts';
import type { Alert } from '../ops/remediation/runbooks.ts';
import { SqliteRemediationAudit } from '../ops/remediation/sqlite-remediation-audit.ts';

export interface RemediationServiceOptions {
  readonly host: string;
  /** @default 8085 (infra/lib/service/definitions.ts) */
  readonly port: number;
  /** The audit's SQLite file. */
  readonly auditPath: string;
  /** Services to start and restart: name → command and arguments. */
  readonly services: Readonly<Record<string, readonly string[]>>;
  readonly alertWindowMs?: number;
  readonly maxRestarts?: number;
  readonly stormWindowMs?: number;
}

export interface RunningRemediation {
  readonly url: string;
  readonly supervisor: LocalSupervisor;
  readonly audit: SqliteRemediationAudit;
  close(): Promise<void>;
}

/** Halting a market needs the exchange's admin API; until that is wired the runbook fails, saying so. */
const noMarketControls: MarketControls = {
  halt: async (symbol) => {
    throw new Error(`halting ${symbol} needs the exchange's admin API, which this controller is not given`);
  },
};

export async function startRemediation(
  options: RemediationServiceOptions,
  logger: Logger,
): Promise<RunningRemediation> {
  const supervisor = new LocalSupervisor(
    Object.fromEntries(
      Object.entries(options.services).map(([name, [command, ...args]]) => {
        if (command === undefined) throw new Error(`service ${name} has no command`);
        return [name, { command, args }];
      }),
    ),
  );
  const audit = new SqliteRemediationAudit(options.auditPath);
  const controller = new RemediationController(
    { supervisor, markets: noMarketControls, audit, logger },
    {
      clock: Date.now,
      ...(options.alertWindowMs !== undefined && { alertWindowMs: options.alertWindowMs }),
      ...(options.maxRestarts !== undefined && { maxRestarts: options.maxRestarts }),
      ...(options.stormWindowMs !== undefined && { stormWindowMs: options.stormWindowMs }),
    },
  );
  supervisor.startAll();
  const server: Server = createServer((req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/health') return answer(200, { ok: true });
    if (req.method === 'GET' && req.url === '/audit') {
      audit.list().then(
        (entries) => answer(200, entries),
        (e: unknown) => answer(500, { error: String(e) }),
      );
      return;
    }
    if (req.method !== 'POST' || req.url !== '/alerts')
      return answer(404, { error: 'POST /alerts, GET /health, GET /audit' });
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      let alerts: Alert[];
      try {
        const parsed = JSON.parse(body) as { alerts?: unknown };
        if (!Array.isArray(parsed.alerts)) throw new Error('no alerts array');
        alerts = parsed.alerts as Alert[];
      } catch (error) {
        logger.error({ err: error }, 'webhook refused: not an Alertmanager payload');
        return answer(400, { error: `not an Alertmanager webhook payload: ${String(error)}` });
      }
      controller.handle(alerts).then(
        (entries) => answer(200, { recorded: entries.length }),
        (error: unknown) => {
          logger.error({ err: error }, 'remediation failed');
          answer(500, { error: String(error) });
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://${options.host}:${port}`,
    supervisor,
    audit,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await supervisor.stopAll();
      audit.close();
    },
  };
}

if (import.meta.main) {
  const logger = pino({ base: { service: 'remediation-controller' } });
  const services = JSON.parse(process.env.BOURSE_REMEDIATION_SERVICES ?? '{}') as Record<string, string[]>;
  const running = await startRemediation(
    {
      host: process.env.BOURSE_HOST ?? '127.0.0.1',
      port: Number(process.env.BOURSE_REMEDIATION_PORT ?? 8085),
      auditPath:
        process.env.BOURSE_REMEDIATION_AUDIT ?? join(process.cwd(), 'data', 'remediation-audit.sqlite'),
      services,
    },
    logger,
  );
  logger.info({ url: running.url, services: Object.keys(services) }, 'listening');
  const stop = () => void running.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
