import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { bourseConfig } from '../lib/config/bourse.config.ts';
import { MAX_SCP_CHARACTERS, MAX_SCPS_PER_TARGET } from '../lib/policies/service-control-policies.ts';
import { SHARED_OUS, TRUSTED_SERVICES } from '../lib/stacks/organization-stack.ts';
import { synthesize } from './support/synth.ts';

const synth = synthesize({ only: ['Organization'] });
const template = synth.template('Organization');
const json = synth.json('Organization');

function logicalIdOfOu(name: string): string {
  const found = Object.entries(json.Resources).find(
    ([, r]) => r.Type === 'AWS::Organizations::OrganizationalUnit' && r.Properties.Name === name,
  );
  assert.ok(found, `no OU ${name}`);
  return found[0];
}

describe('organization stack', () => {
  it('creates an organization with all features, which includes consolidated billing', () => {
    template.hasResourceProperties('AWS::Organizations::Organization', { FeatureSet: 'ALL' });
  });

  it('has one OU per domain plus security, infrastructure, sandbox and suspended', () => {
    const names = Object.values(json.Resources)
      .filter((r) => r.Type === 'AWS::Organizations::OrganizationalUnit')
      .map((r) => r.Properties.Name);
    assert.deepEqual(names.sort(), [...bourseConfig.domains.map((d) => d.name), ...SHARED_OUS].sort());
  });

  it('places every account but the management account in its OU and retains it on removal', () => {
    const accounts = Object.values(json.Resources).filter((r) => r.Type === 'AWS::Organizations::Account');
    assert.equal(accounts.length, 5 + bourseConfig.workloadAccounts.length);
    const tradingProd = Object.entries(json.Resources).find(
      ([, r]) => r.Type === 'AWS::Organizations::Account' && r.Properties.AccountName === 'trading-prod',
    );
    assert.ok(tradingProd);
    assert.deepEqual(tradingProd[1].Properties.ParentIds, [
      { 'Fn::GetAtt': [logicalIdOfOu('trading'), 'Id'] },
    ]);
    template.hasResource('AWS::Organizations::Account', {
      Properties: {
        AccountName: 'log-archive',
        ParentIds: [{ 'Fn::GetAtt': [logicalIdOfOu('security'), 'Id'] }],
      },
      DeletionPolicy: 'Retain',
    });
    assert.ok(!accounts.some((a) => a.Properties.AccountName === 'management'));
  });

  it('attaches at most five SCPs per OU, each within the size limit', () => {
    const policies = Object.values(json.Resources).filter((r) => r.Type === 'AWS::Organizations::Policy');
    assert.equal(policies.length, 5);
    const perTarget = new Map<string, number>();
    for (const p of policies) {
      assert.equal(p.Properties.Type, 'SERVICE_CONTROL_POLICY');
      assert.ok(JSON.stringify(p.Properties.Content).length <= MAX_SCP_CHARACTERS, p.Properties.Name);
      for (const t of p.Properties.TargetIds) {
        const key = JSON.stringify(t);
        perTarget.set(key, (perTarget.get(key) ?? 0) + 1);
      }
    }
    assert.equal(perTarget.size, bourseConfig.domains.length + SHARED_OUS.length);
    // FullAWSAccess stays attached to the suspended OU only; the others count the four guardrails.
    for (const count of perTarget.values()) assert.ok(count <= MAX_SCPS_PER_TARGET - 1);
  });

  it('detaches FullAWSAccess from every guarded OU after attaching the allow-list', () => {
    const detaches = Object.entries(json.Resources).filter(
      ([id, r]) => r.Type === 'Custom::AWS' && id.startsWith('DetachFullAwsAccess'),
    );
    assert.equal(detaches.length, bourseConfig.domains.length + 3);
    const allowList = Object.entries(json.Resources).find(
      ([, r]) => r.Type === 'AWS::Organizations::Policy' && r.Properties.Name === 'bourse-service-allow-list',
    );
    assert.ok(allowList);
    for (const [, r] of detaches) {
      assert.ok(JSON.stringify(r.DependsOn).includes(allowList[0]));
      assert.match(JSON.stringify(r.Properties.Create), /detachPolicy.*p-FullAWSAccess/);
    }
  });

  it('enables trusted access for the organization-wide services', () => {
    for (const principal of TRUSTED_SERVICES) {
      template.hasResourceProperties('Custom::AWS', {
        Create: Match.stringLikeRegexp(`enableAWSServiceAccess.*${principal.replaceAll('.', '\\.')}`),
      });
    }
  });

  // Issue 19: the registrations named the configuration's (placeholder) ids and waited only for trusted access,
  // so the first deployment registered accounts that did not exist yet.
  it('delegates Config administration to the security account and CloudTrail to the log archive, once they exist', () => {
    const accountLogicalId = (name: string) => {
      const found = Object.entries(json.Resources).find(
        ([, r]) => r.Type === 'AWS::Organizations::Account' && r.Properties.AccountName === name,
      );
      assert.ok(found, `no account ${name}`);
      return found[0];
    };
    const registrations: [RegExp, string][] = [
      [/registerDelegatedAdministrator.*config\.amazonaws/, 'security'],
      [/registerDelegatedAdministrator.*config-multiaccountsetup/, 'security'],
      [/registerOrganizationDelegatedAdmin/, 'log-archive'],
    ];
    for (const [pattern, account] of registrations) {
      const call = Object.values(json.Resources).find(
        (r) => r.Type === 'Custom::AWS' && pattern.test(JSON.stringify(r.Properties.Create)),
      );
      assert.ok(call, `no registration matching ${pattern}`);
      const id = accountLogicalId(account);
      assert.match(
        JSON.stringify(call.Properties.Create),
        new RegExp(`"Fn::GetAtt":\\["${id}","AccountId"\\]`),
      );
      assert.ok((call.DependsOn as string[]).includes(id), `${pattern} does not wait for ${account}`);
    }
    assert.doesNotMatch(JSON.stringify(json), new RegExp(bourseConfig.sharedAccounts.security.id));
  });

  // Issue 19: SCPs were attached without the SCP policy type enabled on the root.
  it('enables the SCP policy type on the root before attaching any SCP', () => {
    const enable = Object.entries(json.Resources).find(
      ([, r]) =>
        r.Type === 'Custom::AWS' &&
        /enablePolicyType.*SERVICE_CONTROL_POLICY/.test(JSON.stringify(r.Properties.Create)),
    );
    assert.ok(enable, 'no enablePolicyType call');
    assert.match(JSON.stringify(enable[1].Properties.Create), /RootId/);
    const policies = Object.values(json.Resources).filter((r) => r.Type === 'AWS::Organizations::Policy');
    assert.ok(policies.length > 0);
    for (const p of policies) assert.ok((p.DependsOn as string[]).includes(enable[0]), p.Properties.Name);
  });

  it('leaves no cdk-nag finding unacknowledged', () => {
    assert.deepEqual(synth.violations, []);
  });
});
