import { type ChildProcess, spawn } from 'node:child_process';
import type { Supervisor } from './remediation-ports.ts';

/** Time a service has to stop after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 15_000;

/** How to run one service locally. */
export interface LocalService {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The local fleet's process supervisor: it starts each service as a child and restarts one on
 * request (SIGTERM, wait for its exit, start again). It does not restart on its own: healing is
 * the controller's decision, audited. The embedded process has no standby engine and no second
 * gateway, so those runbooks fail here, saying so.
 */
export class LocalSupervisor implements Supervisor {
  readonly #services: ReadonlyMap<string, LocalService>;
  readonly #running = new Map<string, ChildProcess>();

  constructor(services: Readonly<Record<string, LocalService>>) {
    this.#services = new Map(Object.entries(services));
  }

  startAll(): void {
    for (const name of this.#services.keys()) this.#start(name);
  }

  pid(service: string): number | undefined {
    return this.#running.get(service)?.pid;
  }

  async restart(service: string): Promise<void> {
    if (!this.#services.has(service)) {
      throw new Error(
        `no local service ${JSON.stringify(service)}: known are ${[...this.#services.keys()].join(', ')}`,
      );
    }
    await this.#stop(service);
    this.#start(service);
  }

  async failOverEngine(): Promise<void> {
    throw new Error('the local fleet runs one embedded engine: there is no standby to fail over to');
  }

  async addGateway(): Promise<void> {
    throw new Error('the local fleet runs the embedded process alone: there is no gateway to add');
  }

  async stopAll(): Promise<void> {
    for (const name of [...this.#running.keys()]) await this.#stop(name);
  }

  #start(name: string): void {
    const service = this.#services.get(name)!;
    const child = spawn(service.command, [...service.args], {
      env: { ...process.env, ...service.env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    this.#running.set(name, child);
  }

  async #stop(name: string): Promise<void> {
    const child = this.#running.get(name);
    this.#running.delete(name);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    // A process that does not drain in time (it is stuck: that may be why it is restarted) is killed.
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(kill);
  }
}
