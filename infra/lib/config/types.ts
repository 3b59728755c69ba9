/**
 * The one configuration a platform team edits. Everything the stacks need comes from here: no context lookups,
 * no environment variables, no AWS calls at synth time. `validateConfig` checks it before anything is built.
 */

export const ENVIRONMENT_NAMES = ['prod', 'staging', 'dev'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export interface RegionConfig {
  /** AWS region name, for example `eu-west-1`. */
  readonly name: string;
  /** Exactly three availability zones of this region. */
  readonly availabilityZones: readonly string[];
}

export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  /**
   * How outbound traffic leaves the VPC. Either way Network Firewall drops what its domain allow-list does not pass.
   * `inspected`: the firewall also drops SSH and alerts on anything off the web ports before the allow-list.
   * `allow-list`: Route 53 Resolver DNS Firewall also refuses to resolve domains off the list.
   */
  readonly egress: 'inspected' | 'allow-list';
  /** Domains outbound HTTP and TLS may reach, for example `.amazonaws.com`; at least one. */
  readonly allowedDomains: readonly string[];
}

export interface DomainConfig {
  /** Lower-case name used for the OU and in resource names, for example `trading`. */
  readonly name: string;
  /** Receives budget alerts, anomaly reports and the monthly spend report. */
  readonly ownerEmail: string;
  /** Monthly budget for all the domain's accounts, in US dollars. */
  readonly monthlyBudgetUsd: number;
}

export interface AccountConfig {
  /** Lower-case account name, unique in the organization. */
  readonly name: string;
  /** The 12-digit account id. */
  readonly id: string;
  /** The account's root email, unique in the organization. */
  readonly email: string;
}

export interface WorkloadAccountConfig extends AccountConfig {
  /** A name from `domains`. */
  readonly domain: string;
  readonly environment: EnvironmentName;
}

export interface SharedAccountsConfig {
  readonly management: AccountConfig;
  /** Security tooling and audit: delegated administrator of GuardDuty, Security Hub, Inspector and Config. */
  readonly security: AccountConfig;
  readonly logArchive: AccountConfig;
  readonly networking: AccountConfig;
  /** CI/CD, artifact repositories and other tooling shared by every domain. */
  readonly sharedServices: AccountConfig;
  readonly sandbox: AccountConfig;
}

export interface NetworkConfig {
  /** One supernet per region, keyed by region name; they must not overlap each other or `reservedCidrs`. */
  readonly supernets: Readonly<Record<string, string>>;
  /** Ranges used elsewhere (offices, partners, other clouds) that no plan may overlap. */
  readonly reservedCidrs: readonly string[];
  /** Slots reserved per environment; must be at least the number of accounts in the largest environment. */
  readonly maxAccountsPerEnvironment: number;
  /** Prefix length of each environment's shared VPC. */
  readonly vpcPrefixLength: number;
  /** Prefix length of each account's own range. */
  readonly accountPrefixLength: number;
}

export interface IdentityConfig {
  /** ARN of the IAM Identity Center instance, `arn:aws:sso:::instance/ssoins-...`. */
  readonly instanceArn: string;
  /** Identity store group ids, one per role. */
  readonly groups: {
    readonly admins: string;
    readonly developers: string;
    readonly readOnly: string;
    readonly onCall: string;
  };
  /** How long an approved on-call production assignment lasts before it is removed, in minutes. */
  readonly productionAccessMinutes: number;
  /** How long a production access request waits for approval before it is rejected, in minutes. */
  readonly approvalTimeoutMinutes: number;
  /** Receives production access requests to approve. */
  readonly approverEmail: string;
}

export interface GuardrailsConfig {
  /** IAM service prefixes allowed by the allow-list SCP; every other service is denied. */
  readonly allowedServices: readonly string[];
  /**
   * Single actions allowed in services that `allowedServices` leaves closed, for example
   * `organizations:ListAccounts`.
   * @default - none
   */
  readonly allowedActions?: readonly string[];
  /** Instance type patterns the SCP denies, for example `t3.*`. */
  readonly burstableInstanceTypes: readonly string[];
}

export interface SiemConfig {
  /** Account of the SIEM (Panther in the reference stack) that assumes the log reader role. */
  readonly accountId: string;
  /** External id the SIEM passes when it assumes the role, against the confused-deputy problem. */
  readonly externalId: string;
  /** How long log objects are kept before they expire, in days. */
  readonly logRetentionDays: number;
}

export interface LandingZoneConfig {
  /** Prefix of every stack and named resource, for example `bourse`. */
  readonly prefix: string;
  /** The organization id, `o-...`, used in resource policies that admit the whole organization. */
  readonly organizationId: string;
  /** Exactly two regions; the first is the home region of global and central resources. */
  readonly regions: readonly RegionConfig[];
  readonly environments: readonly EnvironmentConfig[];
  readonly domains: readonly DomainConfig[];
  readonly sharedAccounts: SharedAccountsConfig;
  readonly workloadAccounts: readonly WorkloadAccountConfig[];
  readonly network: NetworkConfig;
  readonly identity: IdentityConfig;
  readonly guardrails: GuardrailsConfig;
  readonly siem: SiemConfig;
  /** Receives security findings, Config non-compliance and logging notifications. */
  readonly securityEmail: string;
  /** Verified SES identity that account vending sends owner notifications from. */
  readonly notificationSenderEmail: string;
  /** Cost anomalies of at least this impact, in US dollars, are reported. */
  readonly costAnomalyThresholdUsd: number;
}
