/**
 * Every deployment action, simulated (issue 19). For each resource of each synthesized stack, the IAM actions
 * CloudFormation calls to create it (test/support/create-actions.ts) are evaluated with the project's SCP
 * simulator in that stack's account, OU and region, against every SCP the organization template attaches there;
 * so are the CDK bootstrap in every account and region a stack needs, the account baseline the StackSet deploys in
 * every OU and region, every AwsCustomResource's SDK call (as its own Lambda role, not exempt from any SCP), and
 * every task role's and service role's run-time actions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bourseConfig } from '../../lib/config/bourse.config.ts';
import {
  BOOTSTRAP_RESOURCE_TYPES,
  createCalls,
  DEPLOY_CALLS,
  impliedCalls,
  knownAction,
  sdkCall,
} from '../support/create-actions.ts';
import { type Governance, governanceOf, ouOfAccounts, policiesAttachedTo } from '../support/placement.ts';
import { decide } from '../support/scp-simulator.ts';
import { synthesize, type TemplateJson } from '../support/synth.ts';

const synth = synthesize();
const organization = synth.json('Organization');

interface Probe {
  readonly what: string;
  readonly action: string;
  readonly account: string;
  readonly region: string;
  readonly principal: string;
  readonly governance: Governance;
}

const cfnExecRole = (account: string, region: string) =>
  `arn:aws:iam::${account}:role/cdk-hnb659fds-cfn-exec-role-${account}-${region}`;

/**
 * Actions of the AWS-managed policies that the stacks' service roles (not service-linked, so SCPs apply) carry,
 * from each policy's published document, trimmed to what the role does with it.
 */
const MANAGED_POLICY_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'service-role/AWSConfigRoleForOrganizations': [
    'organizations:DescribeOrganization',
    'organizations:ListAccounts',
    'organizations:ListAWSServiceAccessForOrganization',
    'organizations:ListDelegatedAdministrators',
  ],
};

function probesOf(): Probe[] {
  const probes: Probe[] = [];
  const bootstrapped = new Set<string>();
  for (const artifact of synth.artifacts) {
    const { account, region } = artifact.environment;
    const governance = governanceOf(account, organization, bourseConfig);
    const template = artifact.template as TemplateJson;
    const stack = artifact.hierarchicalId;
    const exec = cfnExecRole(account, region);
    const add = (what: string, action: string, principal = exec) =>
      probes.push({ what: `${stack}: ${what}`, action, account, region, principal, governance });
    if (!bootstrapped.has(`${account}/${region}`)) {
      bootstrapped.add(`${account}/${region}`);
      for (const type of BOOTSTRAP_RESOURCE_TYPES) {
        for (const action of createCalls(type))
          add(`bootstrap ${type}`, action, `arn:aws:iam::${account}:role/admin`);
      }
      add('bootstrap stack', 'cloudformation:CreateStack', `arn:aws:iam::${account}:role/admin`);
    }
    for (const action of DEPLOY_CALLS)
      add('deploy', action, `arn:aws:iam::${account}:role/cdk-hnb659fds-deploy-role`);
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (resource.Type.startsWith('Custom::')) {
        add(`${id} invoke`, 'lambda:InvokeFunction');
        for (const phase of ['Create', 'Delete'] as const) {
          const call = resource.Properties?.[phase];
          if (typeof call === 'string') {
            // The provider function runs as its own role, which no "except automation" condition exempts.
            add(
              `${id} ${phase}`,
              sdkCall(call),
              `arn:aws:iam::${account}:role/${stack}-AWS679f53fac002430cb0-x`,
            );
          }
        }
        continue;
      }
      for (const action of [...createCalls(resource.Type), ...impliedCalls(resource.Properties)]) {
        add(`${id} (${resource.Type})`, action);
      }
      if (resource.Type === 'AWS::CloudFormation::StackSet')
        probes.push(...stackSetProbes(stack, resource.Properties));
    }
    probes.push(...runTimeProbes(stack, template, account, region, governance));
  }
  return probes;
}

/** The StackSet's template, created in every account of its target OUs and in each of its regions. */
function stackSetProbes(stack: string, properties: Record<string, unknown>): Probe[] {
  const body = JSON.parse(properties.TemplateBody as string) as TemplateJson;
  const groups = properties.StackInstancesGroup as { Regions: string[] }[];
  const regions = [...new Set(groups.flatMap((g) => g.Regions))];
  const ous = [...new Set(ouOfAccounts(organization, bourseConfig).values())].filter(
    (ou) => ou !== 'suspended',
  );
  const probes: Probe[] = [];
  for (const ou of ous) {
    const account = [...ouOfAccounts(organization, bourseConfig)].find(([, o]) => o === ou)?.[0] ?? '';
    const governance = { ou, policies: policiesAttachedTo(organization, ou) };
    for (const region of regions) {
      for (const [id, resource] of Object.entries(body.Resources)) {
        if (resource.Type.startsWith('Custom::')) continue;
        for (const action of [...createCalls(resource.Type), ...impliedCalls(resource.Properties)]) {
          probes.push({
            what: `${stack} baseline instance ${ou}/${region}: ${id} (${resource.Type})`,
            action,
            account,
            region,
            principal: `arn:aws:iam::${account}:role/stacksets-exec-0123456789abcdef`,
            governance,
          });
        }
      }
    }
  }
  return probes;
}

/** Task roles' declared run-time actions, and what the AWS-managed policies of service roles let them do. */
function runTimeProbes(
  stack: string,
  template: TemplateJson,
  account: string,
  region: string,
  governance: Governance,
): Probe[] {
  const probes: Probe[] = [];
  const roles = new Map(Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role'));
  for (const [id, policy] of Object.entries(template.Resources)) {
    if (policy.Type !== 'AWS::IAM::Policy') continue;
    for (const ref of policy.Properties.Roles ?? []) {
      const role = roles.get(ref?.Ref);
      const name = role?.Properties.RoleName;
      if (typeof name !== 'string' || !name.endsWith('-task')) continue;
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        for (const action of [statement.Action].flat() as string[]) {
          probes.push({
            what: `${stack}: task role ${name} (${id})`,
            action,
            account,
            region,
            principal: `arn:aws:iam::${account}:role/${name}`,
            governance,
          });
        }
      }
    }
  }
  for (const [id, role] of roles) {
    for (const arn of role.Properties.ManagedPolicyArns ?? []) {
      const name = Object.keys(MANAGED_POLICY_ACTIONS).find((p) =>
        JSON.stringify(arn).includes(`:policy/${p}`),
      );
      for (const action of name ? (MANAGED_POLICY_ACTIONS[name] ?? []) : []) {
        probes.push({
          what: `${stack}: service role ${id} (${name})`,
          action,
          account,
          region,
          principal: `arn:aws:iam::${account}:role/${id}`,
          governance,
        });
      }
    }
  }
  return probes;
}

const probes = probesOf();

async function denials(selected: readonly Probe[]): Promise<string[]> {
  const seen = new Map<string, string>();
  const denied: string[] = [];
  for (const probe of selected) {
    if (probe.governance.policies.length === 0) continue;
    const key = `${probe.governance.ou}|${probe.region}|${probe.principal.includes('role/cdk-') || probe.principal.includes('stacksets-exec') ? 'automation' : probe.principal}|${probe.action}`;
    let decision = seen.get(key);
    if (!decision) {
      decision = await decide(probe.governance.policies, {
        action: probe.action,
        principal: probe.principal,
        account: probe.account,
        region: probe.region,
      });
      seen.set(key, decision);
    }
    if (decision !== 'Allowed')
      denied.push(`${probe.what}: ${probe.action} ${decision} in ${probe.governance.ou}/${probe.region}`);
  }
  return denied;
}

describe('every deployment action, simulated against the SCPs that govern it', () => {
  it('derives a create call for every resource type, and every call is a real IAM action', () => {
    assert.ok(probes.length > 1000, `only ${probes.length} probes`);
    for (const probe of probes)
      assert.ok(knownAction(probe.action), `${probe.what}: ${probe.action} is no IAM action`);
  });

  it('covers every account, OU and region that hosts a stack, the StackSet instances and us-east-1', () => {
    const where = new Set(probes.map((p) => `${p.governance.ou ?? 'management'}/${p.region}`));
    for (const expected of [
      'management/eu-west-1',
      'trading/us-east-1',
      'trading/eu-central-1',
      'security/eu-west-1',
      'infrastructure/eu-west-1',
      'sandbox/eu-central-1',
    ]) {
      assert.ok(where.has(expected), `nothing simulated in ${expected}; have ${[...where].join(', ')}`);
    }
    const actions = new Set(probes.map((p) => p.action));
    // The actions issue 19 found denied.
    for (const action of [
      'firehose:CreateDeliveryStream',
      'servicediscovery:CreateHttpNamespace',
      'serverlessrepo:CreateCloudFormationTemplate',
      'dynamodb:CreateTable',
      'rds-db:connect',
      'organizations:ListAccounts',
      'organizations:DescribeOrganization',
      'logs:CreateLogGroup',
      's3:CreateBucket',
      'ssm:PutParameter',
    ]) {
      assert.ok(actions.has(action), `${action} is never simulated`);
    }
  });

  it('allows every action of every stack, StackSet instance, custom resource and role where it runs', async () => {
    assert.deepEqual(await denials(probes), []);
  });
});
