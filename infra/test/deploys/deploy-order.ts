/**
 * The README's deploy walk-through, checked against the synthesized app (issue 19): the stacks named by its
 * `cdk deploy` steps are the app's stack ids (the CDK CLI answers "No stacks match" to a stack name), every stack is
 * deployed by exactly one step, after each stack it references, after the bootstrap of its account and region, and
 * the StackSet's OUs and every delegated administrator are created by an earlier step.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { bourseConfig } from '../../lib/config/bourse.config.ts';
import { boursePlatform } from '../../lib/config/bourse.platform.ts';
import { deploymentValueLeaves } from '../../lib/config/deployment.ts';
import { synthesize, type TemplateJson } from '../support/synth.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const walkthrough = readme.slice(
  readme.indexOf('## Bootstrapping and deploying'),
  readme.indexOf('Deploying changes afterwards'),
);
const synth = synthesize();
const ids = synth.artifacts.map((a) => a.hierarchicalId);

interface Step {
  readonly index: number;
  readonly kind: 'bootstrap' | 'deploy';
  readonly args: readonly string[];
}
const steps: Step[] = [...walkthrough.matchAll(/`npx aws-cdk@2 (bootstrap|deploy) ([^`]+)`/g)].map(
  (m, index) => ({
    index,
    kind: m[1] as Step['kind'],
    args: (m[2] ?? '').split(/\s+/).filter((a) => a && !a.startsWith('--') && a !== 'infra/cdk.out'),
  }),
);

const glob = (pattern: string) => new RegExp(`^${pattern.replaceAll('*', '.*')}$`);
const accountIds = new Map(
  [...Object.values(bourseConfig.sharedAccounts), ...bourseConfig.workloadAccounts].map((a) => [
    a.name,
    a.id,
  ]),
);
const regionOf: Record<string, string> = {
  '<home>': bourseConfig.regions[0]?.name ?? '',
  '<second>': bourseConfig.regions[1]?.name ?? '',
  'us-east-1': 'us-east-1',
};

const deployedAt = new Map<string, number>();
const bootstrappedAt = new Map<string, number>();
for (const step of steps) {
  for (const arg of step.args) {
    if (step.kind === 'bootstrap') {
      const m = /^aws:\/\/<([a-z-]+)>\/(.+)$/.exec(arg);
      assert.ok(m, `bootstrap target ${arg} is not aws://<account>/<region>`);
      const account = accountIds.get(m[1] ?? '');
      const region = regionOf[m[2] ?? ''];
      assert.ok(account && region, `unknown account or region in ${arg}`);
      bootstrappedAt.set(`${account}/${region}`, step.index);
    } else {
      const matched = ids.filter((id) => glob(arg).test(id));
      assert.ok(matched.length > 0, `README step "${arg}": the CDK CLI would answer "No stacks match"`);
      for (const id of matched) {
        assert.ok(!deployedAt.has(id), `${id} is deployed by two steps`);
        deployedAt.set(id, step.index);
      }
    }
  }
}

describe('the README deploy walk-through', () => {
  it('names only synthesized stack ids, and every stack exactly once', () => {
    assert.deepEqual(
      ids.filter((id) => !deployedAt.has(id)),
      [],
    );
  });

  it('deploys each stack after the stacks it depends on or references', () => {
    for (const artifact of synth.artifacts) {
      const at = deployedAt.get(artifact.hierarchicalId) ?? -1;
      for (const dependency of artifact.dependencies) {
        const depAt = deployedAt.get(dependency.id.replace(/\.assets$/, ''));
        if (dependency.id.endsWith('.assets')) continue;
        assert.ok(
          depAt !== undefined && depAt <= at,
          `${artifact.hierarchicalId} is deployed before ${dependency.id}`,
        );
      }
    }
  });

  it('bootstraps every account and region before the first stack there', () => {
    for (const artifact of synth.artifacts) {
      const { account, region } = artifact.environment;
      const at = bootstrappedAt.get(`${account}/${region}`);
      assert.ok(at !== undefined, `${artifact.hierarchicalId}: ${account}/${region} is never bootstrapped`);
      assert.ok(
        at < (deployedAt.get(artifact.hierarchicalId) ?? -1),
        `${artifact.hierarchicalId} deploys before its bootstrap`,
      );
    }
  });

  it('targets the baseline StackSet at OUs the organization stack (an earlier step) creates', () => {
    const stackSet = Object.values(synth.json('Baseline').Resources).find(
      (r) => r.Type === 'AWS::CloudFormation::StackSet',
    );
    const groups = stackSet?.Properties.StackInstancesGroup as {
      DeploymentTargets: { OrganizationalUnitIds: unknown[] };
    }[];
    const organization = synth.artifact('Organization');
    const outputs = (organization.template as { Outputs: Record<string, { Value: unknown }> }).Outputs;
    const targets = groups.flatMap((g) => g.DeploymentTargets.OrganizationalUnitIds);
    assert.equal(targets.length, bourseConfig.domains.length + 3, 'every OU but suspended');
    for (const target of targets) {
      const ref = (target as { 'Fn::GetStackOutput': { StackName: string; OutputName: string } })[
        'Fn::GetStackOutput'
      ];
      assert.equal(ref?.StackName, organization.stackName, JSON.stringify(target));
      assert.match(
        JSON.stringify(outputs[ref.OutputName]?.Value),
        /"Fn::GetAtt":\["Ou[A-Za-z]+[0-9A-F]*","Id"\]/,
        `${ref.OutputName} is no OU id`,
      );
    }
    assert.ok((deployedAt.get('Organization') ?? 99) < (deployedAt.get('Baseline') ?? -1));
  });

  it('registers as delegated administrators only accounts an earlier step created', () => {
    const organization = synth.json('Organization');
    const created = new Set(
      Object.values(organization.Resources)
        .filter((r) => r.Type === 'AWS::Organizations::Account')
        .map((r) => accountIds.get(r.Properties.AccountName)),
    );
    let registrations = 0;
    for (const artifact of synth.artifacts) {
      const template = artifact.template as TemplateJson;
      for (const r of Object.values(template.Resources)) {
        const text = JSON.stringify(r.Properties ?? {});
        const isRegistration =
          r.Type === 'AWS::SecurityHub::DelegatedAdmin' ||
          /registerDelegatedAdministrator|enableOrganizationAdminAccount|enableDelegatedAdminAccount|RegisterOrganizationDelegatedAdmin/i.test(
            text,
          );
        if (!isRegistration) continue;
        registrations += 1;
        for (const id of text.match(/\b\d{12}\b/g) ?? []) {
          assert.ok(
            created.has(id),
            `${artifact.hierarchicalId} registers ${id}, which no CfnAccount creates`,
          );
          assert.ok(
            artifact.hierarchicalId !== 'Organization',
            'the organization stack names an account id literally',
          );
          assert.ok((deployedAt.get('Organization') ?? 99) < (deployedAt.get(artifact.hierarchicalId) ?? -1));
        }
      }
    }
    assert.ok(registrations >= 5, `only ${registrations} registrations found`);
  });

  it('tells the operator every deployment value to provide, and the secrets the stacks create', () => {
    const families = new Set(
      [...deploymentValueLeaves(bourseConfig, boursePlatform).keys()].map((path) =>
        path.split('.').slice(0, 2).join('.'),
      ),
    );
    for (const family of families) {
      const [root, key] = family.split('.');
      const named = root === 'accounts' || root === 'platform' || !key ? `"${root}"` : `"${key}"`;
      assert.ok(walkthrough.includes(named), `the README's values file lacks ${family}`);
    }
    const secrets = synth.artifacts.flatMap((a) =>
      Object.values((a.template as TemplateJson).Resources)
        .filter((r) => r.Type === 'AWS::SecretsManager::Secret' && typeof r.Properties?.Name === 'string')
        .map((r) => r.Properties.Name as string),
    );
    assert.ok(secrets.includes('bourse/gateway/api-key-pepper'));
    for (const name of ['bourse/gateway/api-key-pepper', 'bourse/grafana/admin-password']) {
      assert.ok(walkthrough.includes(name), `the README does not mention ${name}`);
    }
  });
});
