/** The validated configuration with the lookups the stacks share. Build it once with `resolveLandingZone`. */
import type { CidrPlan, EnvironmentPlan } from './cidr-planner.ts';
import type { AccountConfig, EnvironmentConfig, LandingZoneConfig, WorkloadAccountConfig } from './types.ts';
import { validateConfig } from './validate.ts';

export interface LandingZone {
  readonly config: LandingZoneConfig;
  /** CIDR plan per region name. */
  readonly plans: ReadonlyMap<string, CidrPlan>;
  /** The first configured region: home of global and central resources. */
  readonly homeRegion: string;
  readonly regionNames: readonly string[];
}

export function resolveLandingZone(config: LandingZoneConfig): LandingZone {
  const plans = validateConfig(config);
  const regionNames = config.regions.map((r) => r.name);
  return { config, plans, homeRegion: regionNames[0] ?? '', regionNames };
}

export function accountsOfEnvironment(
  config: LandingZoneConfig,
  env: string,
): readonly WorkloadAccountConfig[] {
  return config.workloadAccounts.filter((a) => a.environment === env);
}

export function accountsOfDomain(
  config: LandingZoneConfig,
  domain: string,
): readonly WorkloadAccountConfig[] {
  return config.workloadAccounts.filter((a) => a.domain === domain);
}

export function allAccounts(config: LandingZoneConfig): readonly AccountConfig[] {
  return [...Object.values(config.sharedAccounts), ...config.workloadAccounts];
}

export function environmentPlan(zone: LandingZone, region: string, env: EnvironmentConfig): EnvironmentPlan {
  const plan = zone.plans.get(region)?.environments.find((e) => e.environment === env.name);
  if (!plan) throw new Error(`no CIDR plan for ${env.name} in ${region}`);
  return plan;
}

/** Stack names read as `<prefix>-<account>-<purpose>[-<region>]`. */
export function stackName(
  zone: LandingZone,
  account: AccountConfig,
  purpose: string,
  region?: string,
): string {
  return [zone.config.prefix, account.name, purpose, region].filter(Boolean).join('-');
}
