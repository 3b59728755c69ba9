import { DatabaseSync } from 'node:sqlite';
import type { AuditEntry, RemediationAudit } from './remediation-ports.ts';

/** The audit in a SQLite file, until the back-office MariaDB adapter serves the same port. */
export class SqliteRemediationAudit implements RemediationAudit {
  readonly #db: DatabaseSync;

  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    this.#db.exec(`CREATE TABLE IF NOT EXISTS remediation_audit (
      id INTEGER PRIMARY KEY, alert TEXT NOT NULL, alert_key TEXT NOT NULL, runbook TEXT NOT NULL,
      target TEXT NOT NULL, result TEXT NOT NULL, at_ms INTEGER NOT NULL)`);
  }

  async record(e: AuditEntry): Promise<void> {
    this.#db
      .prepare(
        'INSERT INTO remediation_audit (alert, alert_key, runbook, target, result, at_ms) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(e.alert, e.alertKey, e.runbook, e.target, e.result, e.atMs);
  }

  async list(): Promise<AuditEntry[]> {
    const rows = this.#db
      .prepare('SELECT alert, alert_key, runbook, target, result, at_ms FROM remediation_audit ORDER BY id')
      .all() as {
      alert: string;
      alert_key: string;
      runbook: string;
      target: string;
      result: string;
      at_ms: number;
    }[];
    return rows.map((r) => ({
      alert: r.alert,
      alertKey: r.alert_key,
      runbook: r.runbook,
      target: r.target,
      result: r.result,
      atMs: r.at_ms,
    }));
  }

  close(): void {
    this.#db.close();
  }
}
