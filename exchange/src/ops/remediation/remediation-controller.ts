import type { Logger } from 'pino';
import type { AuditEntry, MarketControls, RemediationAudit, Supervisor } from './remediation-ports.ts';
import { type Alert, alertKey, type Runbook, runbookFor } from './runbooks.ts';

export interface RemediationOptions {
  /** An alert (by key and start) is acted on at most once in this window. @default 600000 */
  readonly alertWindowMs?: number;
  /** Restarts of one service allowed within `stormWindowMs`; past it the controller refuses (a storm). @default 3 */
  readonly maxRestarts?: number;
  /** @default 900000 */
  readonly stormWindowMs?: number;
  readonly clock: () => number;
}

/**
 * Alertmanager's webhook in, runbooks out. Every decision, acted or refused, goes to the audit and
 * the log. Resolved alerts are logged and change nothing.
 */
export class RemediationController {
  readonly #supervisor: Supervisor;
  readonly #markets: MarketControls;
  readonly #audit: RemediationAudit;
  readonly #logger: Logger;
  readonly #clock: () => number;
  readonly #alertWindowMs: number;
  readonly #maxRestarts: number;
  readonly #stormWindowMs: number;
  /** When each alert (key and start) was last acted on. */
  readonly #acted = new Map<string, number>();
  /** Restart times per service, for storm refusal. */
  readonly #restarts = new Map<string, number[]>();

  constructor(
    deps: { supervisor: Supervisor; markets: MarketControls; audit: RemediationAudit; logger: Logger },
    options: RemediationOptions,
  ) {
    this.#supervisor = deps.supervisor;
    this.#markets = deps.markets;
    this.#audit = deps.audit;
    this.#logger = deps.logger;
    this.#clock = options.clock;
    this.#alertWindowMs = options.alertWindowMs ?? 600_000;
    this.#maxRestarts = options.maxRestarts ?? 3;
    this.#stormWindowMs = options.stormWindowMs ?? 900_000;
  }

  /** Handles one webhook's alerts in order; resolves with what was recorded. */
  async handle(alerts: readonly Alert[]): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    for (const alert of alerts) {
      if (alert.status === 'resolved') {
        this.#logger.info({ alert: alert.labels.alertname, labels: alert.labels }, 'alert resolved');
        continue;
      }
      const entry = await this.#act(alert);
      if (entry === undefined) continue;
      await this.#audit.record(entry);
      this.#logger.warn(entry, 'remediation');
      entries.push(entry);
    }
    return entries;
  }

  async #act(alert: Alert): Promise<AuditEntry | undefined> {
    const now = this.#clock();
    const key = `${alertKey(alert)}@${alert.startsAt}`;
    const last = this.#acted.get(key);
    // Alertmanager repeats a firing alert; within the window it was handled already (and audited).
    if (last !== undefined && now - last < this.#alertWindowMs) return undefined;
    const runbook = runbookFor(alert);
    const entry = (result: string): AuditEntry => ({
      alert: alert.labels.alertname ?? '(unnamed)',
      alertKey: key,
      runbook: runbook.kind,
      target: targetOf(runbook),
      result,
      atMs: now,
    });
    this.#acted.set(key, now);
    if (runbook.kind === 'none') return entry(`refused: ${runbook.why}`);
    if (runbook.kind === 'restart') {
      const recent = (this.#restarts.get(runbook.service) ?? []).filter((t) => now - t < this.#stormWindowMs);
      if (recent.length >= this.#maxRestarts) {
        return entry(
          `refused: ${recent.length} restarts of ${runbook.service} in ${this.#stormWindowMs} ms (a restart storm)`,
        );
      }
      recent.push(now);
      this.#restarts.set(runbook.service, recent);
    }
    try {
      await this.#run(runbook);
      return entry('done');
    } catch (error) {
      return entry(`failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #run(runbook: Exclude<Runbook, { kind: 'none' }>): Promise<void> {
    switch (runbook.kind) {
      case 'restart':
        return this.#supervisor.restart(runbook.service);
      case 'fail-over-engine':
        return this.#supervisor.failOverEngine();
      case 'add-gateway':
        return this.#supervisor.addGateway();
      case 'halt-market':
        return this.#markets.halt(runbook.symbol);
    }
  }
}

function targetOf(runbook: Runbook): string {
  switch (runbook.kind) {
    case 'restart':
      return runbook.service;
    case 'halt-market':
      return runbook.symbol;
    case 'fail-over-engine':
      return 'engine';
    case 'add-gateway':
      return 'gateway';
    case 'none':
      return '-';
  }
}
