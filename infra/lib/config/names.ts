/**
 * Names that more than one account must agree on without a cross-account reference: CloudFormation cannot pass
 * values between accounts, so central resources get deterministic names derived from the configuration.
 */
import type { LandingZone } from './landing-zone.ts';

export type LogKind = 'cloudtrail' | 'flow-logs' | 'session-logs' | 'config' | 'access-logs';

/** The log archive bucket of one kind, in the home region. */
export function logBucketName(zone: LandingZone, kind: LogKind): string {
  return `${zone.config.prefix}-${kind}-${zone.config.sharedAccounts.logArchive.id}-${zone.homeRegion}`;
}

export function logBucketArn(zone: LandingZone, kind: LogKind): string {
  return `arn:aws:s3:::${logBucketName(zone, kind)}`;
}

/** Roles the account baseline creates in every account. */
export const BASELINE_ROLE_NAMES = {
  deployment: 'bourse-deployment',
  audit: 'bourse-audit-read-only',
  breakGlass: 'bourse-break-glass',
} as const;

/** The role in the shared services account that CI/CD runs as; it alone may assume the deployment roles. */
export function ciRoleArn(zone: LandingZone): string {
  return `arn:aws:iam::${zone.config.sharedAccounts.sharedServices.id}:role/${zone.config.prefix}-ci`;
}

export const ORGANIZATION_TRAIL_NAME = 'bourse-organization';
