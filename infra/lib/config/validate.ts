/**
 * Validation of the landing zone configuration. Every problem is reported at once, each message starting with
 * the path of the bad field and quoting its value, so the platform team can fix the file in one pass.
 */
import { type CidrPlan, CidrPlanError, planCidrs } from './cidr-planner.ts';
import { type Cidr, overlaps, parseCidr } from './ipv4.ts';
import { type AccountConfig, ENVIRONMENT_NAMES, type LandingZoneConfig } from './types.ts';

export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid landing zone configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

const ACCOUNT_ID = /^\d{12}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i;
const NAME = /^[a-z][a-z0-9-]{1,30}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const SERVICE_PREFIX = /^[a-z0-9-]+$/;

/** Throws a ConfigValidationError listing every problem; returns the config's CIDR plans when it is valid. */
export function validateConfig(config: LandingZoneConfig): ReadonlyMap<string, CidrPlan> {
  const problems: string[] = [];
  const problem = (path: string, message: string) => problems.push(`${path}: ${message}`);

  if (!NAME.test(config.prefix)) problem('prefix', `'${config.prefix}' must match ${NAME}`);
  if (!/^o-[a-z0-9]{10,32}$/.test(config.organizationId)) {
    problem('organizationId', `'${config.organizationId}' is not an organization id such as o-a1b2c3d4e5`);
  }
  for (const [field, value] of [
    ['securityEmail', config.securityEmail],
    ['notificationSenderEmail', config.notificationSenderEmail],
    ['identity.approverEmail', config.identity.approverEmail],
  ] as const) {
    if (!EMAIL.test(value)) problem(field, `'${value}' is not an email address`);
  }

  // Regions: exactly two, distinct, three zones each that belong to the region.
  if (config.regions.length !== 2)
    problem('regions', `expected exactly 2 regions, got ${config.regions.length}`);
  config.regions.forEach((region, i) => {
    const path = `regions[${i}]`;
    if (!REGION.test(region.name))
      problem(`${path}.name`, `'${region.name}' is not a region name such as eu-west-1`);
    if (config.regions.findIndex((r) => r.name === region.name) !== i) {
      problem(`${path}.name`, `'${region.name}' is listed twice`);
    }
    if (region.availabilityZones.length !== 3 || new Set(region.availabilityZones).size !== 3) {
      problem(
        `${path}.availabilityZones`,
        `expected 3 distinct zones, got [${region.availabilityZones.join(', ')}]`,
      );
    }
    region.availabilityZones.forEach((zone, z) => {
      if (!new RegExp(`^${region.name}[a-z]$`).test(zone)) {
        problem(`${path}.availabilityZones[${z}]`, `'${zone}' is not a zone of ${region.name}`);
      }
    });
  });

  // Environments: each known name once.
  config.environments.forEach((env, i) => {
    const path = `environments[${i}]`;
    if (!ENVIRONMENT_NAMES.includes(env.name)) {
      problem(`${path}.name`, `'${env.name}' is not one of ${ENVIRONMENT_NAMES.join(', ')}`);
    }
    if (config.environments.findIndex((e) => e.name === env.name) !== i)
      problem(`${path}.name`, `'${env.name}' is listed twice`);
    if (env.allowedDomains.length === 0) {
      problem(`${path}.allowedDomains`, `the firewall denies by default: list at least one domain`);
    }
    env.allowedDomains.forEach((domain, d) => {
      if (!/^\.?[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) {
        problem(`${path}.allowedDomains[${d}]`, `'${domain}' is not a domain name such as .amazonaws.com`);
      }
    });
  });

  // Domains.
  if (config.domains.length === 0) problem('domains', 'at least one domain is required');
  config.domains.forEach((domain, i) => {
    const path = `domains[${i}]`;
    if (!NAME.test(domain.name)) problem(`${path}.name`, `'${domain.name}' must match ${NAME}`);
    if (config.domains.findIndex((d) => d.name === domain.name) !== i)
      problem(`${path}.name`, `'${domain.name}' is listed twice`);
    if (!EMAIL.test(domain.ownerEmail))
      problem(`${path}.ownerEmail`, `'${domain.ownerEmail}' is not an email address`);
    if (!(domain.monthlyBudgetUsd > 0))
      problem(`${path}.monthlyBudgetUsd`, `must be positive, got ${domain.monthlyBudgetUsd}`);
  });

  // Accounts: well-formed, unique ids, names and emails, known domains and environments.
  const accounts: [string, AccountConfig][] = [
    ...Object.entries(config.sharedAccounts).map(([key, a]): [string, AccountConfig] => [
      `sharedAccounts.${key}`,
      a,
    ]),
    ...config.workloadAccounts.map((a, i): [string, AccountConfig] => [`workloadAccounts[${i}]`, a]),
  ];
  const seen = {
    id: new Map<string, string>(),
    name: new Map<string, string>(),
    email: new Map<string, string>(),
  };
  for (const [path, account] of accounts) {
    if (!ACCOUNT_ID.test(account.id)) problem(`${path}.id`, `'${account.id}' is not a 12-digit account id`);
    if (!NAME.test(account.name)) problem(`${path}.name`, `'${account.name}' must match ${NAME}`);
    if (!EMAIL.test(account.email)) problem(`${path}.email`, `'${account.email}' is not an email address`);
    for (const key of ['id', 'name', 'email'] as const) {
      const first = seen[key].get(account[key]);
      if (first) problem(`${path}.${key}`, `'${account[key]}' is already used by ${first}`);
      else seen[key].set(account[key], path);
    }
  }
  const domainNames = config.domains.map((d) => d.name);
  const envNames = config.environments.map((e) => e.name);
  config.workloadAccounts.forEach((account, i) => {
    if (!domainNames.includes(account.domain)) {
      problem(
        `workloadAccounts[${i}].domain`,
        `'${account.domain}' is not a declared domain (declared: ${domainNames.join(', ')})`,
      );
    }
    if (!envNames.includes(account.environment)) {
      problem(
        `workloadAccounts[${i}].environment`,
        `'${account.environment}' is not a declared environment (declared: ${envNames.join(', ')})`,
      );
    }
  });

  // Identity.
  if (!/^arn:aws:sso:::instance\/ssoins-[a-f0-9]{16}$/.test(config.identity.instanceArn)) {
    problem(
      'identity.instanceArn',
      `'${config.identity.instanceArn}' is not an Identity Center instance ARN`,
    );
  }
  for (const [key, id] of Object.entries(config.identity.groups)) {
    if (!/^([0-9a-f]{10}-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
      problem(`identity.groups.${key}`, `'${id}' is not an identity store group id`);
    }
  }
  const minutes = config.identity.productionAccessMinutes;
  if (!Number.isInteger(minutes) || minutes < 15 || minutes > 720) {
    problem('identity.productionAccessMinutes', `must be a whole number from 15 to 720, got ${minutes}`);
  }
  const approval = config.identity.approvalTimeoutMinutes;
  if (!Number.isInteger(approval) || approval < 1 || approval > 1440) {
    problem('identity.approvalTimeoutMinutes', `must be a whole number from 1 to 1440, got ${approval}`);
  }

  // Guardrails.
  if (config.guardrails.allowedServices.length === 0)
    problem('guardrails.allowedServices', 'must not be empty');
  config.guardrails.allowedServices.forEach((s, i) => {
    if (!SERVICE_PREFIX.test(s))
      problem(`guardrails.allowedServices[${i}]`, `'${s}' is not an IAM service prefix`);
  });
  (config.guardrails.allowedActions ?? []).forEach((a, i) => {
    const [prefix, action] = a.split(':');
    if (!prefix || !SERVICE_PREFIX.test(prefix) || !action || !/^[A-Za-z*]+$/.test(action))
      problem(
        `guardrails.allowedActions[${i}]`,
        `'${a}' is not an IAM action such as organizations:ListAccounts`,
      );
  });
  config.guardrails.burstableInstanceTypes.forEach((t, i) => {
    if (!/^[a-z][a-z0-9-]*\.\*$/.test(t)) {
      problem(`guardrails.burstableInstanceTypes[${i}]`, `'${t}' must be a family pattern such as t3.*`);
    }
  });
  if (!(config.costAnomalyThresholdUsd > 0)) {
    problem('costAnomalyThresholdUsd', `must be positive, got ${config.costAnomalyThresholdUsd}`);
  }

  if (!ACCOUNT_ID.test(config.siem.accountId)) {
    problem('siem.accountId', `'${config.siem.accountId}' is not a 12-digit account id`);
  }
  if (config.siem.externalId.length < 8) problem('siem.externalId', 'must be at least 8 characters');
  if (!Number.isInteger(config.siem.logRetentionDays) || config.siem.logRetentionDays < 365) {
    problem(
      'siem.logRetentionDays',
      `must be a whole number of at least 365, got ${config.siem.logRetentionDays}`,
    );
  }

  // Network: parse, check for overlaps, then plan.
  const network = config.network;
  const parsed: [string, string, Cidr][] = [];
  for (const [region, text] of Object.entries(network.supernets)) {
    const c = parseCidr(text);
    if (typeof c === 'string') problem(`network.supernets.${region}`, c);
    else parsed.push([`network.supernets.${region}`, text, c]);
    if (!config.regions.some((r) => r.name === region)) {
      problem(`network.supernets.${region}`, `'${region}' is not one of the configured regions`);
    }
  }
  for (const region of config.regions) {
    if (!(region.name in network.supernets))
      problem('network.supernets', `no supernet for region '${region.name}'`);
  }
  network.reservedCidrs.forEach((text, i) => {
    const c = parseCidr(text);
    if (typeof c === 'string') problem(`network.reservedCidrs[${i}]`, c);
    else parsed.push([`network.reservedCidrs[${i}]`, text, c]);
  });
  parsed.forEach(([path, text, c], i) => {
    for (const [otherPath, otherText, other] of parsed.slice(0, i)) {
      if (overlaps(c, other)) problem(path, `${text} overlaps ${otherText} (${otherPath})`);
    }
  });
  const counts = envNames.map((env) => config.workloadAccounts.filter((a) => a.environment === env).length);
  const largest = Math.max(0, ...counts);
  if (network.maxAccountsPerEnvironment < largest) {
    problem(
      'network.maxAccountsPerEnvironment',
      `${network.maxAccountsPerEnvironment} is below the ${largest} accounts of the largest environment`,
    );
  }
  for (const key of ['vpcPrefixLength', 'accountPrefixLength'] as const) {
    const value = network[key];
    if (!Number.isInteger(value) || value < 16 || value > 24) {
      problem(`network.${key}`, `must be a whole number from 16 to 24 (the VPC limits), got ${value}`);
    }
  }

  const plans = new Map<string, CidrPlan>();
  if (problems.length === 0) {
    for (const region of config.regions) {
      try {
        plans.set(
          region.name,
          planCidrs({
            supernet: network.supernets[region.name] ?? '',
            environments: envNames,
            accountsByEnvironment: Object.fromEntries(
              envNames.map((env) => [
                env,
                config.workloadAccounts.filter((a) => a.environment === env).map((a) => a.name),
              ]),
            ),
            maxAccountsPerEnvironment: network.maxAccountsPerEnvironment,
            vpcPrefixLength: network.vpcPrefixLength,
            accountPrefixLength: network.accountPrefixLength,
          }),
        );
      } catch (error) {
        if (!(error instanceof CidrPlanError)) throw error;
        problem(`network.supernets.${region.name}`, error.message);
      }
    }
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return plans;
}
