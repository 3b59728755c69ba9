/**
 * Where a synthesized stack lands, and which SCPs govern it there: account → OU (from the organization template,
 * as AWS Organizations would see it), and the SCPs attached to that OU. The management account is governed by
 * none (SCPs never apply to it).
 */
import assert from 'node:assert/strict';
import type { LandingZoneConfig } from '../../lib/config/types.ts';
import type { NamedPolicy } from './scp-simulator.ts';
import type { TemplateJson } from './synth.ts';

export interface Governance {
  readonly ou: string | undefined;
  readonly policies: readonly NamedPolicy[];
}

/** The OU each account is created in, by the organization template's CfnAccount ParentIds. */
export function ouOfAccounts(organization: TemplateJson, config: LandingZoneConfig): Map<string, string> {
  const ouByLogicalId = new Map(
    Object.entries(organization.Resources)
      .filter(([, r]) => r.Type === 'AWS::Organizations::OrganizationalUnit')
      .map(([id, r]) => [id, r.Properties.Name as string]),
  );
  const idByName = new Map(
    [...Object.values(config.sharedAccounts), ...config.workloadAccounts].map((a) => [a.name, a.id]),
  );
  const result = new Map<string, string>();
  for (const r of Object.values(organization.Resources)) {
    if (r.Type !== 'AWS::Organizations::Account') continue;
    const parent = r.Properties.ParentIds?.[0]?.['Fn::GetAtt']?.[0];
    const ou = ouByLogicalId.get(parent);
    const id = idByName.get(r.Properties.AccountName);
    assert.ok(ou && id, `account ${r.Properties.AccountName} has no OU or no configured id`);
    result.set(id, ou);
  }
  return result;
}

/** The SCPs the organization template attaches to the OU named `ouName`, as AWS Organizations stores them. */
export function policiesAttachedTo(organization: TemplateJson, ouName: string): NamedPolicy[] {
  const ou = Object.entries(organization.Resources).find(
    ([, r]) => r.Type === 'AWS::Organizations::OrganizationalUnit' && r.Properties.Name === ouName,
  );
  assert.ok(ou, `no OU ${ouName}`);
  const ref = JSON.stringify({ 'Fn::GetAtt': [ou[0], 'Id'] });
  return Object.values(organization.Resources)
    .filter((r) => r.Type === 'AWS::Organizations::Policy')
    .filter((r) => r.Properties.TargetIds.some((t: unknown) => JSON.stringify(t) === ref))
    .map((r) => ({ name: r.Properties.Name, policy: r.Properties.Content }));
}

export function governanceOf(
  account: string,
  organization: TemplateJson,
  config: LandingZoneConfig,
): Governance {
  if (account === config.sharedAccounts.management.id) return { ou: undefined, policies: [] };
  const ou = ouOfAccounts(organization, config).get(account);
  assert.ok(ou, `account ${account} is created by no CfnAccount of the organization stack`);
  return { ou, policies: policiesAttachedTo(organization, ou) };
}
