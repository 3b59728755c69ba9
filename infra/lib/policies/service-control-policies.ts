/**
 * The SCPs Bourse attaches, composed from the named statement sets in scp-statements.ts. AWS allows five SCPs per
 * target and 5,120 characters per policy, so related sets share a policy; tests check both limits.
 */
import type { LandingZoneConfig } from '../config/types.ts';
import type { PolicyDocumentJson, PolicyStatementJson } from './policy-json.ts';
import {
  allowListedServices,
  denyAll,
  denyBurstableInstances,
  denyIamUsers,
  denyLeavingOrganization,
  denyOutsideRegions,
  denyUnencryptedEbs,
  protectS3Guardrails,
  protectSecurityServices,
  requireImdsV2,
} from './scp-statements.ts';

export const SCP_NAMES = [
  'service-allow-list',
  'data-protection',
  'identity-and-organization',
  'regions-and-compute',
  'suspended',
] as const;
export type ScpName = (typeof SCP_NAMES)[number];

export interface ServiceControlPolicyDefinition {
  readonly name: ScpName;
  readonly description: string;
  readonly document: PolicyDocumentJson;
}

export const MAX_SCP_CHARACTERS = 5120;
export const MAX_SCPS_PER_TARGET = 5;

function doc(statements: PolicyStatementJson[]): PolicyDocumentJson {
  return { Version: '2012-10-17', Statement: statements };
}

export function serviceControlPolicies(
  config: LandingZoneConfig,
): Record<ScpName, ServiceControlPolicyDefinition> {
  const regions = config.regions.map((r) => r.name);
  return {
    'service-allow-list': {
      name: 'service-allow-list',
      description: 'Allows only the services Bourse uses; every other service is denied.',
      document: doc(
        allowListedServices(config.guardrails.allowedServices, config.guardrails.allowedActions ?? []),
      ),
    },
    'data-protection': {
      name: 'data-protection',
      description: 'Encrypted EBS only; S3 versioning and public-access blocks cannot be loosened.',
      document: doc([...denyUnencryptedEbs(), ...protectS3Guardrails()]),
    },
    'identity-and-organization': {
      name: 'identity-and-organization',
      description: 'No IAM users or access keys, no leaving the organization, security services stay on.',
      document: doc([...denyIamUsers(), ...denyLeavingOrganization(), ...protectSecurityServices()]),
    },
    'regions-and-compute': {
      name: 'regions-and-compute',
      description: `Only ${regions.join(' and ')}; no burstable instance types; IMDSv2 required.`,
      document: doc([
        ...denyOutsideRegions(regions),
        ...denyBurstableInstances(config.guardrails.burstableInstanceTypes),
        ...requireImdsV2(),
      ]),
    },
    suspended: {
      name: 'suspended',
      description: 'Denies everything in accounts awaiting closure.',
      document: doc(denyAll()),
    },
  };
}

/** Every OU but suspended gets the four guardrail SCPs; suspended gets the deny-all on top of them. */
export const GUARDRAIL_SCPS: readonly ScpName[] = [
  'service-allow-list',
  'data-protection',
  'identity-and-organization',
  'regions-and-compute',
];
