/**
 * The AWS Organization in the management account: all features (which includes consolidated billing), one OU per
 * domain plus security, infrastructure, sandbox and suspended, the accounts, the SCPs attached per OU, trusted
 * access for the organization-wide services and the delegated administrators that are not regional.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnAccount, CfnOrganization, CfnOrganizationalUnit, CfnPolicy } from 'aws-cdk-lib/aws-organizations';
import type { Construct } from 'constructs';
import type { LandingZone } from '../config/landing-zone.ts';
import type { AccountConfig } from '../config/types.ts';
import { acknowledgeAwsCustomResourceProvider } from '../constructs/nag.ts';
import { OrganizationCall } from '../constructs/organization-call.ts';
import {
  GUARDRAIL_SCPS,
  type ScpName,
  serviceControlPolicies,
} from '../policies/service-control-policies.ts';

export const SHARED_OUS = ['security', 'infrastructure', 'sandbox', 'suspended'] as const;

/** AWS service principals the landing zone enables trusted access for. */
export const TRUSTED_SERVICES = [
  'cloudtrail.amazonaws.com',
  'config.amazonaws.com',
  'config-multiaccountsetup.amazonaws.com',
  'guardduty.amazonaws.com',
  'securityhub.amazonaws.com',
  'inspector2.amazonaws.com',
  'member.org.stacksets.cloudformation.amazonaws.com',
  'sso.amazonaws.com',
  'ram.amazonaws.com',
  'ssm.amazonaws.com',
] as const;

/** Services whose delegated administrator is registered organization-wide (not per region). */
export const GLOBAL_DELEGATED_SERVICES = [
  'config.amazonaws.com',
  'config-multiaccountsetup.amazonaws.com',
] as const;

export interface OrganizationStackProps extends StackProps {
  readonly zone: LandingZone;
}

export class OrganizationStack extends Stack {
  readonly organization: CfnOrganization;
  /** OU ids by name: each domain, then security, infrastructure, sandbox and suspended. */
  readonly ouIds: ReadonlyMap<string, string>;
  readonly policies: ReadonlyMap<ScpName, CfnPolicy>;
  /** Member accounts by name; their ids are known only once CloudFormation has created them. */
  readonly accounts: ReadonlyMap<string, CfnAccount>;

  constructor(scope: Construct, id: string, props: OrganizationStackProps) {
    super(scope, id, props);
    const { config } = props.zone;

    this.organization = new CfnOrganization(this, 'Organization', { featureSet: 'ALL' });
    const rootId = this.organization.attrRootId;

    const ous = new Map<string, CfnOrganizationalUnit>();
    for (const name of [...config.domains.map((d) => d.name), ...SHARED_OUS]) {
      ous.set(name, new CfnOrganizationalUnit(this, `Ou-${name}`, { name, parentId: rootId }));
    }
    const ouId = (name: string) => {
      const ou = ous.get(name);
      if (!ou) throw new Error(`no OU named ${name}`);
      return ou.attrId;
    };
    this.ouIds = new Map([...ous].map(([name, ou]) => [name, ou.attrId]));

    // Accounts. The management account is the organization itself and is never declared as a member.
    const shared = config.sharedAccounts;
    const placements: [AccountConfig, string][] = [
      [shared.security, 'security'],
      [shared.logArchive, 'security'],
      [shared.networking, 'infrastructure'],
      [shared.sharedServices, 'infrastructure'],
      [shared.sandbox, 'sandbox'],
      ...config.workloadAccounts.map((a): [AccountConfig, string] => [a, a.domain]),
    ];
    const accounts = new Map<string, CfnAccount>();
    for (const [account, ou] of placements) {
      const resource = new CfnAccount(this, `Account-${account.name}`, {
        accountName: account.name,
        email: account.email,
        parentIds: [ouId(ou)],
      });
      // An account removed from the configuration must be closed deliberately, not by a stack update.
      resource.applyRemovalPolicy(RemovalPolicy.RETAIN);
      accounts.set(account.name, resource);
      // The operator records these ids in the deployment values before synthesizing the other stacks.
      new CfnOutput(this, `AccountId-${account.name}`, {
        key: `AccountId${account.name.replaceAll('-', '')}`,
        value: resource.attrAccountId,
        description: `Account id of ${account.name}`,
      });
    }
    this.accounts = accounts;
    const accountId = (account: AccountConfig) => {
      const resource = accounts.get(account.name);
      if (!resource) throw new Error(`no account resource for ${account.name}`);
      return resource;
    };
    new CfnOutput(this, 'OrganizationId', {
      value: this.organization.attrId,
      description: 'The organization id',
    });

    // SCPs can only be attached once the SCP policy type is enabled on the root; CreateOrganization leaves it off.
    const scpType = new OrganizationCall(this, 'EnableServiceControlPolicies', {
      onCreate: {
        service: 'Organizations',
        action: 'enablePolicyType',
        parameters: { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' },
      },
      actions: ['organizations:EnablePolicyType', 'organizations:DescribeOrganization'],
      ignoreErrorCodesMatching: 'PolicyTypeAlreadyEnabledException',
    });

    // SCPs: the guardrails on every OU; the suspended OU also gets the deny-all.
    const definitions = serviceControlPolicies(config);
    const guarded = [...config.domains.map((d) => d.name), 'security', 'infrastructure', 'sandbox'];
    const targets: Record<ScpName, string[]> = {
      'service-allow-list': guarded,
      'data-protection': [...guarded, 'suspended'],
      'identity-and-organization': [...guarded, 'suspended'],
      'regions-and-compute': [...guarded, 'suspended'],
      suspended: ['suspended'],
    };
    const policies = new Map<ScpName, CfnPolicy>();
    for (const name of [...GUARDRAIL_SCPS, 'suspended'] as const) {
      const definition = definitions[name];
      policies.set(
        name,
        new CfnPolicy(this, `Scp-${name}`, {
          name: `${config.prefix}-${name}`,
          description: definition.description,
          type: 'SERVICE_CONTROL_POLICY',
          content: definition.document,
          targetIds: targets[name].map(ouId),
        }),
      );
      policies.get(name)?.node.addDependency(scpType);
    }
    this.policies = policies;

    // The allow-list only takes effect once FullAWSAccess is detached from the OU; detach it after the allow-list
    // is attached so the OU is never without an Allow, and re-attach it if this stack is deleted.
    const allowList = policies.get('service-allow-list');
    for (const name of guarded) {
      const detach = new OrganizationCall(this, `DetachFullAwsAccess-${name}`, {
        onCreate: {
          service: 'Organizations',
          action: 'detachPolicy',
          parameters: { PolicyId: 'p-FullAWSAccess', TargetId: ouId(name) },
        },
        onDelete: {
          service: 'Organizations',
          action: 'attachPolicy',
          parameters: { PolicyId: 'p-FullAWSAccess', TargetId: ouId(name) },
        },
        actions: ['organizations:DetachPolicy', 'organizations:AttachPolicy'],
        ignoreErrorCodesMatching: 'PolicyNotAttachedException|DuplicatePolicyAttachmentException',
      });
      if (allowList) detach.node.addDependency(allowList);
    }

    // Trusted access, then the global delegated administrators (the security account).
    const trusted = TRUSTED_SERVICES.map(
      (principal) =>
        new OrganizationCall(this, `TrustedAccess-${principal.split('.')[0]}`, {
          onCreate: {
            service: 'Organizations',
            action: 'enableAWSServiceAccess',
            parameters: { ServicePrincipal: principal },
          },
          actions: ['organizations:EnableAWSServiceAccess'],
        }),
    );
    // A delegated administrator must exist before it is registered: its id is the account resource's, and the
    // registration waits for that resource.
    const security = accountId(shared.security);
    for (const principal of GLOBAL_DELEGATED_SERVICES) {
      const call = new OrganizationCall(this, `DelegatedAdmin-${principal.split('.')[0]}`, {
        onCreate: {
          service: 'Organizations',
          action: 'registerDelegatedAdministrator',
          parameters: { AccountId: security.attrAccountId, ServicePrincipal: principal },
        },
        onDelete: {
          service: 'Organizations',
          action: 'deregisterDelegatedAdministrator',
          parameters: { AccountId: security.attrAccountId, ServicePrincipal: principal },
        },
        actions: [
          'organizations:RegisterDelegatedAdministrator',
          'organizations:DeregisterDelegatedAdministrator',
        ],
        ignoreErrorCodesMatching: 'AccountAlreadyRegisteredException',
      });
      for (const t of trusted) call.node.addDependency(t);
      call.node.addDependency(security);
    }
    // The organization trail lives in the log archive account, as CloudTrail's delegated administrator.
    const logArchive = accountId(shared.logArchive);
    const trailAdmin = new OrganizationCall(this, 'DelegatedAdmin-cloudtrail', {
      onCreate: {
        service: 'CloudTrail',
        action: 'registerOrganizationDelegatedAdmin',
        parameters: { MemberAccountId: logArchive.attrAccountId },
      },
      onDelete: {
        service: 'CloudTrail',
        action: 'deregisterOrganizationDelegatedAdmin',
        parameters: { DelegatedAdminAccountId: logArchive.attrAccountId },
      },
      actions: [
        'cloudtrail:RegisterOrganizationDelegatedAdmin',
        'cloudtrail:DeregisterOrganizationDelegatedAdmin',
        'organizations:RegisterDelegatedAdministrator',
        'organizations:DeregisterDelegatedAdministrator',
        'organizations:DescribeOrganization',
        'organizations:ListAWSServiceAccessForOrganization',
        'iam:CreateServiceLinkedRole',
        'iam:GetRole',
      ],
      ignoreErrorCodesMatching: 'AccountRegisteredException',
    });
    for (const t of trusted) trailAdmin.node.addDependency(t);
    trailAdmin.node.addDependency(logArchive);

    acknowledgeAwsCustomResourceProvider(this);
  }
}
