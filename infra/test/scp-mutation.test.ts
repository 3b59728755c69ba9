/**
 * Mutation-checked SCPs (issue 19): every statement, every action in it and every value of its conditions is
 * needed. For each, a probe request is built from the statement itself; the probe must get the statement's decision
 * from the composed SCPs, and a different one once that statement, action or value is removed. So deleting the IMDSv1
 * deny, or dropping cloudtrail:DeleteTrail from a deny list, fails here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bourseConfig } from '../lib/config/bourse.config.ts';
import type { PolicyDocumentJson, PolicyStatementJson } from '../lib/policies/policy-json.ts';
import { EDGE_REGION } from '../lib/policies/scp-statements.ts';
import { GUARDRAIL_SCPS, serviceControlPolicies } from '../lib/policies/service-control-policies.ts';
import { firstActionMatching } from './support/create-actions.ts';
import { ACCOUNT, decide, type NamedPolicy } from './support/scp-simulator.ts';

const definitions = serviceControlPolicies(bourseConfig);
const home = bourseConfig.regions[0]?.name ?? '';

type Mutation = (statements: PolicyStatementJson[]) => PolicyStatementJson[];
interface Probe {
  readonly name: string;
  readonly policy: keyof typeof definitions;
  readonly action: string;
  readonly context: Record<string, string>;
  readonly region: string;
  /** The decision with the statement as written, and once `mutate` has weakened it. */
  readonly expected: string;
  /** For a deny: anything but ExplicitlyDenied (the allow-list may still deny implicitly). */
  readonly mutated: string;
  readonly resource?: string;
  readonly mutate: Mutation;
}

/** A resource the statement's Resource matches: `arn:aws:ec2:*:*:volume/*` → `arn:aws:ec2:<region>:<account>:volume/x`. */
function resourceOf(statement: PolicyStatementJson, region: string): string | undefined {
  const resource = list(statement.Resource)[0];
  if (!resource || resource === '*') return undefined;
  return resource.replace('*', region).replace('*', ACCOUNT).replaceAll('*', 'x');
}

const list = (v: string | readonly string[] | undefined): string[] => (v === undefined ? [] : [v].flat());

/** A concrete action for a pattern such as `ec2:*`, one the allow-list admits where it can. */
function concrete(pattern: string): string {
  if (!pattern.includes('*')) return pattern;
  const prefix = pattern.split(':')[0];
  const allowed = (bourseConfig.guardrails.allowedActions ?? []).find((a) => a.startsWith(`${prefix}:`));
  if (allowed) return allowed;
  const found = firstActionMatching(pattern);
  if (!found) throw new Error(`no action of the IAM service reference matches ${pattern}`);
  return found;
}

const COMPLIANT: Readonly<Record<string, string>> = {
  'ec2:MetadataHttpTokens': 'required',
  'ec2:Encrypted': 'true',
  'ec2:InstanceType': 'c7i.large',
  'ec2:RoleDelivery': '2.0',
};

/** Context that makes the statement's conditions hold, with `value` for the key under test. */
function matchingContext(statement: PolicyStatementJson, focus?: { key: string; value: string }) {
  // What a compliant request carries, so that only the statement under test decides.
  const context: Record<string, string> = { ...COMPLIANT };
  for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
    for (const [key, values] of Object.entries(entries)) {
      const first = list(values)[0] ?? '';
      if (focus?.key === key) context[key] = focus.value;
      else if (operator === 'StringNotEquals')
        context[key] = key === 'aws:RequestedRegion' ? 'ap-south-1' : 'optional';
      else if (operator === 'NumericLessThan') context[key] = '1';
      else if (operator === 'StringLike') context[key] = first.replace('*', 'large');
      else if (operator === 'ArnNotLike')
        continue; // the probe's principal is a person's role
      else context[key] = first;
    }
  }
  return context;
}

const without =
  (sid: string, change: (s: PolicyStatementJson) => PolicyStatementJson | undefined): Mutation =>
  (statements) =>
    statements.flatMap((s) =>
      s.Sid === sid ? [change(s)].filter((x): x is PolicyStatementJson => !!x) : [s],
    );

function probesOf(): Probe[] {
  const probes: Probe[] = [];
  for (const name of [...GUARDRAIL_SCPS, 'suspended'] as const) {
    for (const statement of definitions[name].document.Statement) {
      const sid = statement.Sid;
      const region = statement.Condition?.StringEquals?.['aws:RequestedRegion']
        ? (list(statement.Condition.StringEquals['aws:RequestedRegion'])[0] ?? home)
        : home;
      if (statement.Effect === 'Allow') {
        for (const action of list(statement.Action)) {
          probes.push({
            name: `${sid}: ${action}`,
            policy: name,
            action: concrete(action),
            context: {},
            region,
            expected: 'Allowed',
            mutated: 'ImplicitlyDenied',
            mutate: without(sid, (s) => ({ ...s, Action: list(s.Action).filter((a) => a !== action) })),
          });
        }
        continue;
      }
      if (statement.NotAction) {
        // The statement denies what it does not exempt; each exemption is needed.
        const regionNow = matchingContext(statement)['aws:RequestedRegion'] ?? region;
        probes.push({
          name: `${sid}: denies an action it does not exempt`,
          policy: name,
          action: 'sqs:SendMessage',
          context: matchingContext(statement),
          region: regionNow,
          expected: 'ExplicitlyDenied',
          mutated: 'Allowed',
          mutate: without(sid, () => undefined),
        });
        for (const exempt of list(statement.NotAction)) {
          probes.push({
            name: `${sid}: exempts ${exempt}`,
            policy: name,
            action: concrete(exempt),
            context: matchingContext(statement),
            region: regionNow,
            expected: 'Allowed',
            mutated: 'ExplicitlyDenied',
            mutate: without(sid, (s) => ({ ...s, NotAction: list(s.NotAction).filter((a) => a !== exempt) })),
          });
        }
      } else {
        for (const action of list(statement.Action)) {
          const probeAction = action === '*' ? 's3:GetObject' : concrete(action);
          probes.push({
            name: `${sid}: denies ${action}`,
            policy: name,
            action: probeAction,
            context: matchingContext(statement),
            region: matchingContext(statement)['aws:RequestedRegion'] ?? region,
            resource: resourceOf(statement, region),
            expected: 'ExplicitlyDenied',
            mutated: 'not ExplicitlyDenied',
            mutate: without(sid, (s) => {
              const rest = list(s.Action).filter((a) => a !== action);
              return rest.length > 0 ? { ...s, Action: rest } : undefined;
            }),
          });
        }
      }
      // Each value of a multi-valued condition decides for requests carrying that value.
      for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
        if (operator === 'ArnNotLike') continue;
        for (const [key, values] of Object.entries(entries)) {
          const all = list(values);
          if (all.length < 2) continue;
          for (const value of all) {
            const negated = operator.includes('Not');
            const probeValue = operator === 'StringLike' ? value.replace('*', 'large') : value;
            // In the edge region only the edge's own services are open.
            const regionProbe = key === 'aws:RequestedRegion' && value === EDGE_REGION;
            const action = regionProbe
              ? 'logs:CreateLogGroup'
              : concrete(statement.NotAction ? 'sqs:SendMessage' : (list(statement.Action)[0] ?? '*'));
            const context = matchingContext(statement, { key, value: probeValue });
            probes.push({
              name: `${sid}: ${operator} ${key} ${value}`,
              policy: name,
              action,
              context,
              region: context['aws:RequestedRegion'] ?? region,
              // A value listed under a negated operator is let through; one under a positive operator is denied.
              resource: resourceOf(statement, context['aws:RequestedRegion'] ?? region),
              expected: negated ? 'Allowed' : 'ExplicitlyDenied',
              mutated: negated ? 'ExplicitlyDenied' : 'not ExplicitlyDenied',
              mutate: without(sid, (s) => ({
                ...s,
                Condition: {
                  ...s.Condition,
                  [operator]: { ...s.Condition?.[operator], [key]: all.filter((v) => v !== value) },
                },
              })),
            });
          }
        }
      }
    }
  }
  return probes;
}

function attached(policy: keyof typeof definitions, mutate?: Mutation): NamedPolicy[] {
  const names =
    policy === 'suspended'
      ? ([...GUARDRAIL_SCPS.filter((n) => n !== 'service-allow-list'), 'suspended'] as const)
      : GUARDRAIL_SCPS;
  return names.map((n) => {
    const document = definitions[n].document;
    const statements = n === policy && mutate ? mutate([...document.Statement]) : [...document.Statement];
    const changed: PolicyDocumentJson = { ...document, Statement: statements };
    return { name: n, policy: changed };
  });
}

const probes = probesOf();

/**
 * What the guardrails must decide, pinned: a statement, action or condition value deleted from
 * lib/policies/scp-statements.ts (or added without a probe here) fails the first test below.
 */
const PINNED: Readonly<Record<string, readonly string[]>> = {
  AllowListedServices: [
    'access-analyzer:*',
    'acm:*',
    'aoss:*',
    'application-autoscaling:*',
    'autoscaling:*',
    'backup:*',
    'budgets:*',
    'ce:*',
    'cloudformation:*',
    'cloudfront:*',
    'cloudtrail:*',
    'cloudwatch:*',
    'codeartifact:*',
    'config:*',
    'dynamodb:*',
    'ec2:*',
    'ec2messages:*',
    'ecr:*',
    'ecs:*',
    'elasticache:*',
    'elasticloadbalancing:*',
    'es:*',
    'events:*',
    'firehose:*',
    'guardduty:*',
    'health:*',
    'iam:*',
    'imagebuilder:*',
    'inspector2:*',
    'kafka:*',
    'kafka-cluster:*',
    'kms:*',
    'lambda:*',
    'logs:*',
    'network-firewall:*',
    'ram:*',
    'rds:*',
    'rds-db:*',
    'route53:*',
    'route53resolver:*',
    's3:*',
    'secretsmanager:*',
    'securityhub:*',
    'serverlessrepo:*',
    'servicediscovery:*',
    'sns:*',
    'sqs:*',
    'ssm:*',
    'ssmmessages:*',
    'sso:*',
    'states:*',
    'sts:*',
    'support:*',
    'synthetics:*',
    'tag:*',
    'wafv2:*',
    'xray:*',
    'organizations:DescribeOrganization',
    'organizations:ListAWSServiceAccessForOrganization',
    'organizations:ListAccounts',
    'organizations:ListDelegatedAdministrators',
  ],
  DenyUnencryptedCreateVolume: ['denies ec2:CreateVolume'],
  DenyUnencryptedRunInstancesVolume: ['denies ec2:RunInstances'],
  DenyChangingBucketVersioning: ['denies s3:PutBucketVersioning'],
  DenyLooseningPublicAccessBlocks: [
    'denies s3:PutAccountPublicAccessBlock',
    'denies s3:PutBucketPublicAccessBlock',
  ],
  DenyIamUsersAndAccessKeys: [
    'denies iam:CreateUser',
    'denies iam:CreateAccessKey',
    'denies iam:CreateLoginProfile',
  ],
  DenyLeavingOrganization: ['denies organizations:LeaveOrganization'],
  ProtectSecurityServices: [
    'denies cloudtrail:DeleteTrail',
    'denies cloudtrail:StopLogging',
    'denies cloudtrail:UpdateTrail',
    'denies cloudtrail:PutEventSelectors',
    'denies config:DeleteConfigurationRecorder',
    'denies config:DeleteDeliveryChannel',
    'denies config:StopConfigurationRecorder',
    'denies config:DeleteOrganizationConfigRule',
    'denies guardduty:DeleteDetector',
    'denies guardduty:DisassociateFromAdministratorAccount',
    'denies guardduty:DisassociateFromMasterAccount',
    'denies guardduty:UpdateDetector',
    'denies guardduty:StopMonitoringMembers',
    'denies securityhub:DisableSecurityHub',
    'denies securityhub:DisassociateFromAdministratorAccount',
    'denies securityhub:DisassociateFromMasterAccount',
    'denies securityhub:BatchDisableStandards',
  ],
  DenyOutsideApprovedRegions: [
    'denies an action it does not exempt',
    'exempts acm:*',
    'exempts budgets:*',
    'exempts ce:*',
    'exempts cloudfront:*',
    'exempts health:*',
    'exempts iam:*',
    'exempts kms:*',
    'exempts organizations:*',
    'exempts route53:*',
    'exempts s3:ListAllMyBuckets',
    'exempts sso:*',
    'exempts sts:*',
    'exempts support:*',
    'exempts wafv2:*',
    'StringNotEquals aws:RequestedRegion eu-west-1',
    'StringNotEquals aws:RequestedRegion eu-central-1',
    'StringNotEquals aws:RequestedRegion us-east-1',
  ],
  DenyEdgeRegionBeyondTheEdge: [
    'denies an action it does not exempt',
    'exempts acm:*',
    'exempts budgets:*',
    'exempts ce:*',
    'exempts cloudfront:*',
    'exempts health:*',
    'exempts iam:*',
    'exempts kms:*',
    'exempts organizations:*',
    'exempts route53:*',
    'exempts sso:*',
    'exempts sts:*',
    'exempts support:*',
    'exempts wafv2:*',
    'exempts cloudformation:*',
    'exempts ecr:*',
    'exempts logs:*',
    'exempts s3:*',
    'exempts ssm:*',
  ],
  DenyBurstableInstanceTypes: [
    'denies ec2:RunInstances',
    'StringLike ec2:InstanceType t1.*',
    'StringLike ec2:InstanceType t2.*',
    'StringLike ec2:InstanceType t3.*',
    'StringLike ec2:InstanceType t3a.*',
    'StringLike ec2:InstanceType t4g.*',
  ],
  RequireImdsV2OnLaunch: ['denies ec2:RunInstances'],
  DenyImdsV1RoleCredentials: ['denies *'],
  DenyAllInSuspendedAccounts: ['denies *'],
};

describe('service control policies, mutation-checked', () => {
  it('allow-lists only services the IAM service reference knows', () => {
    const unknown = bourseConfig.guardrails.allowedServices.filter((s) => !firstActionMatching(`${s}:*`));
    assert.deepEqual(unknown, []);
  });

  it('probes exactly the pinned statements, actions and condition values', () => {
    const by = new Map<string, string[]>();
    for (const p of probes) {
      const at = p.name.indexOf(': ');
      const sid = p.name.slice(0, at);
      by.set(sid, [...(by.get(sid) ?? []), p.name.slice(at + 2)]);
    }
    assert.deepEqual(Object.fromEntries(by), PINNED);
  });

  it('builds a probe for every statement, action and condition value', () => {
    const sids = new Set(probes.map((p) => p.name.split(':')[0]));
    for (const name of [...GUARDRAIL_SCPS, 'suspended'] as const) {
      for (const s of definitions[name].document.Statement)
        assert.ok(sids.has(s.Sid), `no probe for ${s.Sid}`);
    }
    for (const expected of [
      'DenyImdsV1RoleCredentials: denies *',
      'ProtectSecurityServices: denies cloudtrail:DeleteTrail',
      'ProtectSecurityServices: denies cloudtrail:UpdateTrail',
      'DenyIamUsersAndAccessKeys: denies iam:CreateLoginProfile',
    ]) {
      assert.ok(
        probes.some((p) => p.name === expected),
        `no probe ${expected}`,
      );
    }
  });

  it('decides each probe as written, and differently once its statement, action or value is removed', async () => {
    const wrong: string[] = [];
    // Run in a suspended-free OU for the guardrails; the suspended OU's deny-all is probed with its own set.
    for (const probe of probes) {
      const request = {
        action: probe.action,
        context: probe.context,
        region: probe.region,
        account: ACCOUNT,
        ...(probe.resource ? { resource: probe.resource } : {}),
      };
      const asWritten = await decide(attached(probe.policy), request);
      const mutated = await decide(attached(probe.policy, probe.mutate), request);
      if (asWritten !== probe.expected)
        wrong.push(`${probe.name}: ${asWritten} as written, expected ${probe.expected}`);
      const asExpected =
        probe.mutated === 'not ExplicitlyDenied' ? mutated !== 'ExplicitlyDenied' : mutated === probe.mutated;
      if (!asExpected) wrong.push(`${probe.name}: ${mutated} once removed, expected ${probe.mutated}`);
    }
    assert.deepEqual(wrong, []);
  });
});
