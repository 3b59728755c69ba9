/**
 * The values only a real deployment knows: account ids, the organization id, the Identity Center instance and
 * groups, the SIEM account, the shared VPC's ids and the hosted zones. The configuration files carry example
 * values of the right shape; a deployable synthesis takes every one of them from the CDK context
 * (`bourse:deployment`, a JSON file or an object) and refuses to run while any is still an example value.
 * `bourse:example` synthesizes the example values on purpose (tests, `npm run synth`), and marks every template so
 * that CloudFormation refuses to deploy it.
 */
import { readFileSync } from 'node:fs';
import type { Node } from 'constructs';
import { bourseConfig } from './bourse.config.ts';
import { boursePlatform } from './bourse.platform.ts';
import type { PlatformConfig, SharedVpcIds } from './platform.ts';
import type { AccountConfig, EnvironmentName, LandingZoneConfig } from './types.ts';

/** Context key: a path to a deployment values file (JSON), or the values themselves. */
export const DEPLOYMENT_CONTEXT = 'bourse:deployment';
/** Context key: `true` synthesizes the example values, into templates CloudFormation refuses to deploy. */
export const EXAMPLE_CONTEXT = 'bourse:example';
/**
 * Context key: `organization` synthesizes the organization stack alone, which needs only the management account's
 * id (it creates the other accounts); `landing-zone` the landing zone without the platform, which needs no VPC or
 * hosted zone id (its network stacks create the VPCs); `all` (the default) synthesizes everything.
 */
export const PHASE_CONTEXT = 'bourse:phase';
export const PHASES = ['organization', 'landing-zone', 'all'] as const;
export type Phase = (typeof PHASES)[number];

/** The shape of a deployment values file; see infra/README.md. Every key is required for the phase `all`. */
export interface DeploymentValues {
  readonly organizationId?: string;
  /** Account ids by account name (`management`, `security`, ..., `trading-prod`, ...). */
  readonly accounts?: Readonly<Record<string, string>>;
  readonly identity?: {
    readonly instanceArn?: string;
    readonly groups?: Partial<Record<keyof LandingZoneConfig['identity']['groups'], string>>;
  };
  readonly siem?: { readonly accountId?: string; readonly externalId?: string };
  /** Per environment: the public hosted zone's id and the shared VPC's ids per region. */
  readonly platform?: Partial<
    Record<
      EnvironmentName,
      { readonly hostedZoneId?: string; readonly vpcs?: Readonly<Record<string, SharedVpcIds>> }
    >
  >;
}

export interface Deployment {
  readonly config: LandingZoneConfig;
  readonly platform: PlatformConfig;
  /** True when the example values were synthesized on purpose; such templates must not deploy. */
  readonly example: boolean;
  readonly phase: Phase;
}

export class PlaceholderError extends Error {
  override readonly name = 'PlaceholderError';
  readonly placeholders: readonly string[];
  constructor(placeholders: readonly string[]) {
    super(
      `refusing to synthesize a deployable app: ${placeholders.length} value(s) are still placeholders. ` +
        `Provide them in the deployment values file (-c ${DEPLOYMENT_CONTEXT}=<file>, see infra/README.md), ` +
        `or synthesize the example on purpose with -c ${EXAMPLE_CONTEXT}=true:\n  - ${placeholders.join('\n  - ')}`,
    );
    this.placeholders = placeholders;
  }
}

/** Every deployment-specific value of a configuration, by its path in a deployment values file. */
export function deploymentValueLeaves(
  config: LandingZoneConfig,
  platform: PlatformConfig,
): Map<string, string> {
  const leaves = new Map<string, string>();
  leaves.set('organizationId', config.organizationId);
  for (const account of allAccountsOf(config)) leaves.set(`accounts.${account.name}`, account.id);
  leaves.set('identity.instanceArn', config.identity.instanceArn);
  for (const [group, id] of Object.entries(config.identity.groups))
    leaves.set(`identity.groups.${group}`, id);
  leaves.set('siem.accountId', config.siem.accountId);
  leaves.set('siem.externalId', config.siem.externalId);
  for (const environment of config.environments) {
    const env = platform.environments[environment.name];
    if (!env) continue;
    const path = `platform.${environment.name}`;
    leaves.set(`${path}.hostedZoneId`, env.hostedZoneId);
    for (const [region, vpc] of Object.entries(env.vpcs)) {
      leaves.set(`${path}.vpcs.${region}.vpcId`, vpc.vpcId);
      for (const [tier, ids] of Object.entries(vpc.subnetIds)) {
        for (const [i, id] of ids.entries()) leaves.set(`${path}.vpcs.${region}.subnetIds.${tier}[${i}]`, id);
      }
    }
  }
  return leaves;
}

/** The checked-in configuration's values: examples in the right shape, never deployable. */
export const EXAMPLE_LEAVES: ReadonlyMap<string, string> = deploymentValueLeaves(
  bourseConfig,
  boursePlatform,
);

/** Domains reserved for documentation and tests (RFC 2606, RFC 6761): an email or zone there is a placeholder. */
const RESERVED_DOMAIN = /(^|[.@])(example|test|invalid|localhost)$|(^|[.@])example\.(com|net|org)$/i;

/** Leaves the organization phase needs: the organization stack is placed in the management account. */
const ORGANIZATION_PHASE_LEAVES = ['accounts.management'];

/** Every value still a placeholder for the phase, as `path: value`. */
export function placeholdersOf(config: LandingZoneConfig, platform: PlatformConfig, phase: Phase): string[] {
  const found: string[] = [];
  const leaves = deploymentValueLeaves(config, platform);
  for (const [path, value] of leaves) {
    if (phase === 'organization' && !ORGANIZATION_PHASE_LEAVES.includes(path)) continue;
    if (phase === 'landing-zone' && path.startsWith('platform.')) continue;
    if (EXAMPLE_LEAVES.get(path) === value) found.push(`${path}: '${value}' is the example value`);
  }
  const emails: [string, string][] = [
    ...allAccountsOf(config).map((a): [string, string] => [`account ${a.name} email`, a.email]),
    ['securityEmail', config.securityEmail],
    ['notificationSenderEmail', config.notificationSenderEmail],
    ['identity.approverEmail', config.identity.approverEmail],
    ...config.domains.map((d): [string, string] => [`domains.${d.name}.ownerEmail`, d.ownerEmail]),
  ];
  const names: [string, string][] =
    phase === 'organization'
      ? emails.filter(([path]) => path.startsWith('account '))
      : phase === 'landing-zone'
        ? emails
        : [
            ...emails,
            ...Object.entries(platform.environments).flatMap(([env, e]): [string, string][] => [
              [`platform.${env}.zoneName`, e.zoneName],
              [`platform.${env}.alarmEmail`, e.alarmEmail],
            ]),
          ];
  for (const [path, value] of names) {
    if (RESERVED_DOMAIN.test(value)) found.push(`${path}: '${value}' is in a reserved example domain`);
  }
  return found;
}

/** The configuration with every value the deployment values file provides put in place. */
export function applyDeploymentValues(
  config: LandingZoneConfig,
  platform: PlatformConfig,
  values: DeploymentValues,
): { config: LandingZoneConfig; platform: PlatformConfig } {
  const id = <A extends AccountConfig>(account: A): A => ({
    ...account,
    id: values.accounts?.[account.name] ?? account.id,
  });
  const shared = Object.fromEntries(
    Object.entries(config.sharedAccounts).map(([key, account]) => [key, id(account)]),
  ) as unknown as LandingZoneConfig['sharedAccounts'];
  const environments = Object.fromEntries(
    Object.entries(platform.environments).map(([name, env]) => {
      const given = values.platform?.[name as EnvironmentName];
      return [
        name,
        {
          ...env,
          hostedZoneId: given?.hostedZoneId ?? env.hostedZoneId,
          vpcs: { ...env.vpcs, ...given?.vpcs },
        },
      ];
    }),
  ) as unknown as PlatformConfig['environments'];
  return {
    config: {
      ...config,
      organizationId: values.organizationId ?? config.organizationId,
      sharedAccounts: shared,
      workloadAccounts: config.workloadAccounts.map(id),
      identity: {
        ...config.identity,
        instanceArn: values.identity?.instanceArn ?? config.identity.instanceArn,
        groups: { ...config.identity.groups, ...values.identity?.groups },
      },
      siem: {
        ...config.siem,
        accountId: values.siem?.accountId ?? config.siem.accountId,
        externalId: values.siem?.externalId ?? config.siem.externalId,
      },
    },
    platform: { ...platform, environments },
  };
}

function contextFlag(node: Node, key: string): boolean {
  const value = node.tryGetContext(key);
  return value === true || value === 'true';
}

function readValues(node: Node): DeploymentValues {
  const given: unknown = node.tryGetContext(DEPLOYMENT_CONTEXT);
  if (given === undefined) return {};
  if (typeof given === 'object' && given !== null) return given as DeploymentValues;
  if (typeof given !== 'string') throw new Error(`${DEPLOYMENT_CONTEXT} must be a file path or an object`);
  const text = given.trim().startsWith('{') ? given : readFileSync(given, 'utf8');
  return JSON.parse(text) as DeploymentValues;
}

/**
 * Reads the mode from the app's context and returns the configuration to build. Throws a PlaceholderError listing
 * every placeholder when a deployable synthesis still has any.
 */
export function resolveDeployment(
  node: Node,
  config: LandingZoneConfig,
  platform: PlatformConfig,
): Deployment {
  const phase = (node.tryGetContext(PHASE_CONTEXT) ?? 'all') as Phase;
  if (!PHASES.includes(phase)) {
    throw new Error(`${PHASE_CONTEXT} must be one of ${PHASES.join(', ')}, got '${String(phase)}'`);
  }
  const example = contextFlag(node, EXAMPLE_CONTEXT);
  const applied = applyDeploymentValues(config, platform, readValues(node));
  if (!example) {
    const placeholders = placeholdersOf(applied.config, applied.platform, phase);
    if (placeholders.length > 0) throw new PlaceholderError(placeholders);
  }
  return { ...applied, example, phase };
}

function allAccountsOf(config: LandingZoneConfig): readonly AccountConfig[] {
  return [...Object.values(config.sharedAccounts), ...config.workloadAccounts];
}
