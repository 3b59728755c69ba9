import type { UnstampedCommand } from '../../domain/commands.ts';
import type { CommandResult, ResultCallback } from '../../sequencer/sequencer.ts';

/**
 * What the REST gateway needs of the exchange behind it: submit a command and hear its events once
 * durable, and read the projection no older than the caller's own acknowledged writes.
 */
export interface ExchangePort {
  submit(command: UnstampedCommand): Promise<CommandResult>;
  /**
   * `submit` with a callback: the order path saves a promise and a microtask per command. `context`
   * (a trace's traceparent) travels with the command through the log. @default - none
   */
  submitWith(command: UnstampedCommand, done: ResultCallback, context?: Uint8Array): void;
  /** Resolves once the read model holds every command acknowledged before the call. */
  caughtUp(): Promise<void>;
  /** Commands submitted and not yet acknowledged: the gateway sheds load above a bound. */
  inFlight(): number;
}
