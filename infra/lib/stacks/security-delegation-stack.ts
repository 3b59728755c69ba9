/**
 * In the management account, per region: makes the security account the delegated administrator of GuardDuty,
 * Security Hub and Inspector, so that it can enable them for the whole organization.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import { CfnDelegatedAdmin } from 'aws-cdk-lib/aws-securityhub';
import type { Construct } from 'constructs';
import type { LandingZone } from '../config/landing-zone.ts';
import { acknowledgeAwsCustomResourceProvider } from '../constructs/nag.ts';
import { OrganizationCall } from '../constructs/organization-call.ts';

export interface SecurityDelegationStackProps extends StackProps {
  readonly zone: LandingZone;
}

export class SecurityDelegationStack extends Stack {
  constructor(scope: Construct, id: string, props: SecurityDelegationStackProps) {
    super(scope, id, props);
    const securityId = props.zone.config.sharedAccounts.security.id;
    new CfnDelegatedAdmin(this, 'SecurityHubAdmin', { adminAccountId: securityId });
    new OrganizationCall(this, 'GuardDutyAdmin', {
      onCreate: {
        service: 'GuardDuty',
        action: 'enableOrganizationAdminAccount',
        parameters: { AdminAccountId: securityId },
      },
      onDelete: {
        service: 'GuardDuty',
        action: 'disableOrganizationAdminAccount',
        parameters: { AdminAccountId: securityId },
      },
      actions: [
        'guardduty:EnableOrganizationAdminAccount',
        'guardduty:DisableOrganizationAdminAccount',
        'organizations:EnableAWSServiceAccess',
        'organizations:RegisterDelegatedAdministrator',
        'organizations:DeregisterDelegatedAdministrator',
        'organizations:ListDelegatedAdministrators',
        'organizations:ListAWSServiceAccessForOrganization',
        'organizations:DescribeOrganization',
        'iam:CreateServiceLinkedRole',
      ],
    });
    new OrganizationCall(this, 'InspectorAdmin', {
      onCreate: {
        service: 'Inspector2',
        action: 'enableDelegatedAdminAccount',
        parameters: { delegatedAdminAccountId: securityId },
      },
      onDelete: {
        service: 'Inspector2',
        action: 'disableDelegatedAdminAccount',
        parameters: { delegatedAdminAccountId: securityId },
      },
      actions: [
        'inspector2:EnableDelegatedAdminAccount',
        'inspector2:DisableDelegatedAdminAccount',
        'organizations:EnableAWSServiceAccess',
        'organizations:RegisterDelegatedAdministrator',
        'organizations:DeregisterDelegatedAdministrator',
        'organizations:ListDelegatedAdministrators',
        'organizations:ListAWSServiceAccessForOrganization',
        'organizations:DescribeOrganization',
        'iam:CreateServiceLinkedRole',
      ],
    });
    acknowledgeAwsCustomResourceProvider(this);
  }
}
