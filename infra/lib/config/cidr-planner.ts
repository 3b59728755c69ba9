/**
 * The CIDR planner: a pure function from the network part of the configuration to an address plan.
 *
 * Layout of one region's supernet (environments in configuration order, each block the same size):
 *
 *   supernet ─┬─ environment block 0 ─┬─ shared VPC (networking account)      /vpcPrefixLength
 *             │                       ├─ account slot 0                        /accountPrefixLength
 *             │                       ├─ account slot 1 ...
 *             │                       └─ account slot maxAccountsPerEnvironment-1
 *             ├─ environment block 1 ...
 *
 * Invariants (property-tested in test/cidr-planner.test.ts): every range lies inside its supernet, no two ranges
 * overlap, every account slot has the requested size, and appending an account never moves an existing one,
 * because slots are sized for the configured maximum rather than for the accounts that exist today.
 */
import { type Cidr, cidr, contains, formatCidr, prefixLengthFor, size } from './ipv4.ts';

export interface CidrPlanInput {
  /** The region's supernet, for example `10.0.0.0/12`. */
  readonly supernet: string;
  /** Environment names, in a stable order. */
  readonly environments: readonly string[];
  /** Account names per environment, in a stable order; slots are handed out in this order. */
  readonly accountsByEnvironment: Readonly<Record<string, readonly string[]>>;
  /** Slots reserved per environment: the most accounts any environment may ever hold. */
  readonly maxAccountsPerEnvironment: number;
  /** Prefix length of each environment's shared VPC, for example 18. */
  readonly vpcPrefixLength: number;
  /** Prefix length of each account's own range, for example 22. */
  readonly accountPrefixLength: number;
}

export interface AccountRange {
  readonly account: string;
  readonly cidr: string;
}

export interface EnvironmentPlan {
  readonly environment: string;
  /** The whole environment block. */
  readonly block: string;
  /** The shared VPC in the networking account. */
  readonly vpcCidr: string;
  readonly accounts: readonly AccountRange[];
}

export interface CidrPlan {
  readonly supernet: string;
  readonly environments: readonly EnvironmentPlan[];
}

export class CidrPlanError extends Error {
  override readonly name = 'CidrPlanError';
}

/** Prefix length of one environment block for these sizes. */
export function environmentPrefixLength(input: CidrPlanInput): number {
  const needed =
    size(input.vpcPrefixLength) + input.maxAccountsPerEnvironment * size(input.accountPrefixLength);
  return prefixLengthFor(needed);
}

export function planCidrs(input: CidrPlanInput): CidrPlan {
  const supernet = cidr(input.supernet);
  if (input.accountPrefixLength < input.vpcPrefixLength) {
    throw new CidrPlanError(
      `accountPrefixLength /${input.accountPrefixLength} must not be larger than vpcPrefixLength /${input.vpcPrefixLength}`,
    );
  }
  if (!Number.isInteger(input.maxAccountsPerEnvironment) || input.maxAccountsPerEnvironment < 1) {
    throw new CidrPlanError(
      `maxAccountsPerEnvironment must be a positive integer, got ${input.maxAccountsPerEnvironment}`,
    );
  }
  const envPrefix = environmentPrefixLength(input);
  const envSize = size(envPrefix);
  const available = size(supernet.prefixLength);
  if (envPrefix < supernet.prefixLength || input.environments.length * envSize > available) {
    const neededPrefix = prefixLengthFor(input.environments.length * envSize);
    throw new CidrPlanError(
      `supernet ${input.supernet} is too small for ${input.environments.length} environment(s) of /${envPrefix} each; ` +
        `use a /${neededPrefix} or larger, or lower maxAccountsPerEnvironment`,
    );
  }
  const environments = input.environments.map((environment, index): EnvironmentPlan => {
    const block: Cidr = { base: supernet.base + index * envSize, prefixLength: envPrefix };
    const accounts = input.accountsByEnvironment[environment] ?? [];
    if (accounts.length > input.maxAccountsPerEnvironment) {
      throw new CidrPlanError(
        `environment '${environment}' has ${accounts.length} accounts but maxAccountsPerEnvironment is ${input.maxAccountsPerEnvironment}`,
      );
    }
    const vpc: Cidr = { base: block.base, prefixLength: input.vpcPrefixLength };
    const slotsBase = block.base + size(input.vpcPrefixLength);
    return {
      environment,
      block: formatCidr(block),
      vpcCidr: formatCidr(vpc),
      accounts: accounts.map((account, slot) => {
        const range: Cidr = {
          base: slotsBase + slot * size(input.accountPrefixLength),
          prefixLength: input.accountPrefixLength,
        };
        // Holds by construction; kept as a cheap guard against a future layout change.
        if (!contains(block, range))
          throw new CidrPlanError(`internal: ${formatCidr(range)} escapes ${formatCidr(block)}`);
        return { account, cidr: formatCidr(range) };
      }),
    };
  });
  return { supernet: input.supernet, environments };
}
