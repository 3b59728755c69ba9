/**
 * What the controller acts through: a supervisor of the fleet's services (the local process
 * supervisor, or ECS on AWS) and the exchange's market controls. Async: a network sits behind each.
 */
export interface Supervisor {
  restart(service: string): Promise<void>;
  /** Promotes the engine's standby. */
  failOverEngine(): Promise<void>;
  /** One more gateway task or process. */
  addGateway(): Promise<void>;
}

export interface MarketControls {
  halt(symbol: string): Promise<void>;
}

/** One action (or refusal) of the controller. */
export interface AuditEntry {
  readonly alert: string;
  readonly alertKey: string;
  readonly runbook: string;
  readonly target: string;
  /** `done`, `failed: <cause>`, or `refused: <why>`. */
  readonly result: string;
  readonly atMs: number;
}

/** Where actions are recorded (SQLite now; the back-office database later). */
export interface RemediationAudit {
  record(entry: AuditEntry): Promise<void>;
  list(): Promise<AuditEntry[]>;
}
