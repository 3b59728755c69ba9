import type { UnstampedCommand } from '../../domain/commands.ts';
import type { CommandResult } from '../../sequencer/sequencer.ts';
import { errors } from '../binance/api-error.ts';
import { commandContext } from '../gateway-channels.ts';
import type { ApiDeps } from './api-deps.ts';

/**
 * Sends a command through the sequencer and waits until it is durable and applied. A pipeline that
 * stopped (its log failed) or is over its in-flight bound answers "busy"; nothing was applied.
 */
export function submit(deps: ApiDeps, command: UnstampedCommand): Promise<CommandResult> {
  if (deps.exchange.inFlight() >= deps.maxInFlight) return Promise.reject(errors.busy());
  // One promise per command: the sequencer's callback form settles it directly.
  return new Promise((resolve, reject) =>
    deps.exchange.submitWith(
      command,
      (_error, result) => (result === undefined ? reject(errors.busy()) : resolve(result)),
      commandContext.getStore(),
    ),
  );
}
