/**
 * The health probes of the API port, the paths the cloud stack's service definitions name:
 * `/health` says the process is alive and serving HTTP (a supervisor restarts it otherwise);
 * `/ready` says it can take orders: the sequencer runs, the log takes appends, and the read model
 * is within its lag bound. A load balancer sends traffic only while `/ready` answers 200; its 503
 * body lists every reason, so the cause is in the answer as well as in the log.
 */
import type { ProbeAnswer } from '../gateway/rest/http-gateway.ts';
import type { ExchangeHealth } from './embedded-exchange.ts';

export interface ProbeOptions {
  /** The read model may lag the engine by at most this many commands. */
  readonly maxReadModelLag: number;
}

export function healthProbes(
  health: () => ExchangeHealth,
  options: ProbeOptions,
): ReadonlyMap<string, () => ProbeAnswer> {
  return new Map([
    ['/health', () => ({ status: 200, body: { status: 'alive' } }) satisfies ProbeAnswer],
    ['/ready', () => readiness(health(), options)],
  ]);
}

export function readiness(health: ExchangeHealth, options: ProbeOptions): ProbeAnswer {
  const problems: string[] = [];
  if (!health.sequencerRunning) problems.push(`the sequencer stopped: ${health.sequencerStoppedBy}`);
  if (!health.logWritable) problems.push(`the log refuses appends: ${health.logFailure}`);
  if (health.readModelFaulted) problems.push('the read model stopped projecting (see the log for its fault)');
  const lag = health.lastSeq - health.readModelSeq;
  if (lag > options.maxReadModelLag) {
    problems.push(`the read model lags the engine by ${lag} commands (bound ${options.maxReadModelLag})`);
  }
  const body = {
    status: problems.length === 0 ? 'ready' : 'not ready',
    problems,
    lastSeq: health.lastSeq,
    readModelSeq: health.readModelSeq,
    readModelLag: lag,
    // Reported, but no reason to refuse orders: the log holds everything a snapshot would.
    ...(health.snapshotFailure !== undefined && { snapshotFailure: health.snapshotFailure }),
    ...(health.snapshotReplicaFailure !== undefined && {
      snapshotReplicaFailure: health.snapshotReplicaFailure,
    }),
  };
  return { status: problems.length === 0 ? 200 : 503, body };
}
