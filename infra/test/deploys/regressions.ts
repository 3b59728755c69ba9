/**
 * Issue 19's regressions, each a test named after what it caught: templates that synthesized and validated but
 * would not deploy.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXAMPLE_ONLY_RULE } from '../../lib/app.ts';
import { bourseConfig } from '../../lib/config/bourse.config.ts';
import { boursePlatform } from '../../lib/config/bourse.platform.ts';
import {
  DEPLOYMENT_CONTEXT,
  EXAMPLE_LEAVES,
  PHASE_CONTEXT,
  PlaceholderError,
} from '../../lib/config/deployment.ts';
import type { LandingZoneConfig } from '../../lib/config/types.ts';
import { synthesize, type TemplateJson } from '../support/synth.ts';

const synth = synthesize();

const resources = (t: TemplateJson, type: string) =>
  Object.entries(t.Resources).filter(([, r]) => r.Type === type);

describe('issue 19 regressions', () => {
  it("creates the account baseline's fixed-name IAM resources in the home region only (the StackSet deploys to both)", () => {
    const stackSet = resources(synth.json('Baseline'), 'AWS::CloudFormation::StackSet')[0]?.[1];
    assert.ok(stackSet);
    const body = JSON.parse(stackSet.Properties.TemplateBody) as TemplateJson & {
      Resources: Record<string, { Condition?: string }>;
    };
    const named = Object.entries(body.Resources).filter(([, r]) =>
      ['RoleName', 'ManagedPolicyName', 'InstanceProfileName', 'UserName', 'GroupName'].some(
        (k) => r.Properties?.[k] !== undefined,
      ),
    );
    assert.ok(named.length >= 3, 'the baseline has its named roles');
    for (const [id, r] of named)
      assert.equal(r.Condition, 'IsHomeRegion', `${id} is created in every region`);
    // Whatever is attached to a home-region-only resource is home-region-only too.
    const conditioned = new Set(
      Object.entries(body.Resources)
        .filter(([, r]) => r.Condition)
        .map(([id]) => id),
    );
    for (const [id, r] of Object.entries(body.Resources)) {
      const refs = [...JSON.stringify(r.Properties ?? {}).matchAll(/"Ref":"([A-Za-z0-9]+)"/g)].map(
        (m) => m[1],
      );
      if (refs.some((ref) => ref && conditioned.has(ref)))
        assert.equal(r.Condition, 'IsHomeRegion', `${id} refers to a home-region resource`);
    }
  });

  it('creates every secret a task definition reads, in the same stack', () => {
    let checked = 0;
    for (const artifact of synth.artifacts) {
      const template = artifact.template as TemplateJson;
      for (const [, task] of resources(template, 'AWS::ECS::TaskDefinition')) {
        for (const container of task.Properties.ContainerDefinitions ?? []) {
          for (const secret of container.Secrets ?? []) {
            checked += 1;
            const ref = secret.ValueFrom?.Ref;
            assert.ok(
              ref,
              `${artifact.hierarchicalId}: ${secret.Name} reads a secret no stack creates: ${JSON.stringify(secret.ValueFrom)}`,
            );
            assert.equal(template.Resources[ref]?.Type, 'AWS::SecretsManager::Secret');
          }
        }
      }
    }
    assert.ok(checked >= 2, 'the gateway pepper and the Grafana password are read');
    const names = resources(synth.json('Services-prod'), 'AWS::SecretsManager::Secret').map(
      ([, r]) => r.Properties.Name,
    );
    assert.ok(names.includes('bourse/gateway/api-key-pepper'));
  });

  it('gives the Image Builder infrastructure configurations a subnet and security group of the stack (no default VPC)', () => {
    const images = synth.json('Images');
    const configurations = resources(images, 'AWS::ImageBuilder::InfrastructureConfiguration');
    assert.equal(configurations.length, 2);
    for (const [id, c] of configurations) {
      const subnet = c.Properties.SubnetId?.Ref;
      assert.equal(images.Resources[subnet]?.Type, 'AWS::EC2::Subnet', `${id} names no subnet of the stack`);
      assert.ok(c.Properties.SecurityGroupIds?.length > 0, `${id} names no security group`);
    }
  });

  it('allows no security group all outbound traffic: each egress rule is declared', () => {
    let groups = 0;
    for (const artifact of synth.artifacts) {
      const template = artifact.template as TemplateJson;
      for (const [id, g] of resources(template, 'AWS::EC2::SecurityGroup')) {
        groups += 1;
        for (const rule of g.Properties.SecurityGroupEgress ?? []) {
          assert.ok(
            !(rule.IpProtocol === '-1' && rule.CidrIp === '0.0.0.0/0'),
            `${artifact.hierarchicalId}/${id} allows all outbound traffic`,
          );
          assert.ok(
            rule.IpProtocol !== '-1' || rule.CidrIp === '255.255.255.255/32',
            `${artifact.hierarchicalId}/${id}: all protocols to ${rule.CidrIp ?? rule.DestinationSecurityGroupId}`,
          );
        }
      }
    }
    assert.ok(groups > 10);
  });

  it('opens the way from the public load balancer to each routed service, and nowhere else', () => {
    const egress = resources(synth.json('Services-prod'), 'AWS::EC2::SecurityGroupEgress').filter(([id]) =>
      id.includes('LoadBalancerToService'),
    );
    assert.equal(egress.length, 2, 'gateway and web');
    for (const [, e] of egress)
      assert.ok(e.Properties.DestinationSecurityGroupId && e.Properties.FromPort === e.Properties.ToPort);
  });
});

describe('placeholders (issue 19, item 7)', () => {
  const real = (value: string, i: number) =>
    value
      .replace(/^\d{12}$/, () => `${String(400000000000 + i)}`)
      .replace(/^o-[a-z0-9]+$/, 'o-realorg1234')
      .replace(/ssoins-[0-9a-f]+/, 'ssoins-1234567890abcdef')
      .replace(/^(vpc|subnet)-[0-9a-f]+$/, (_, kind: string) => `${kind}-${(0xa0000000 + i).toString(16)}`)
      .replace(/^Z[A-Z0-9]+$/, `ZREAL${String(i).padStart(6, '0')}`)
      .replace(/^[0-9a-f]{8}-[0-9a-f-]+$/, (v) => `${v.slice(0, -4)}${String(1000 + i).slice(-4)}`)
      .replace(/^bourse-panther-log-reader$/, 'real-external-id');
  const valuesOf = () => {
    const leaves = [...EXAMPLE_LEAVES];
    const values: Record<string, unknown> = {};
    leaves.forEach(([path, value], i) => {
      const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.');
      let at = values as Record<string, unknown>;
      for (const [k, part] of parts.entries()) {
        if (k === parts.length - 1) at[part] = real(value, i);
        else {
          at[part] ??= /^\d+$/.test(parts[k + 1] ?? '') ? [] : {};
          at = at[part] as Record<string, unknown>;
        }
      }
    });
    return values;
  };
  const realNames = <T>(config: T): T =>
    JSON.parse(JSON.stringify(config).replaceAll('bourse.example', 'bourse-exchange.io'));
  const realEmails = (config: LandingZoneConfig) => config && realNames(config);
  const platformConfig = realNames(boursePlatform);

  it('refuses a deployable synthesis while any value is a placeholder, naming each', () => {
    assert.throws(
      () => synthesize({ only: ['Organization'], context: {} }),
      (e: unknown) =>
        e instanceof PlaceholderError &&
        e.placeholders.some((p) => p.startsWith('accounts.management:')) &&
        e.placeholders.some((p) => p.startsWith('identity.instanceArn:')) &&
        e.placeholders.some((p) => p.startsWith('platform.prod.vpcs.eu-west-1.subnetIds.app[0]:')) &&
        e.placeholders.some((p) => p.startsWith('platform.prod.hostedZoneId:')) &&
        e.placeholders.some((p) => p.startsWith('siem.accountId:')),
    );
  });

  it('names the one value left out of an otherwise complete deployment', () => {
    const values = valuesOf() as { siem: Record<string, string> };
    delete values.siem.accountId;
    assert.throws(
      () =>
        synthesize({
          only: ['Organization'],
          config: realEmails(bourseConfig),
          platformConfig,
          context: { [DEPLOYMENT_CONTEXT]: values },
        }),
      (e: unknown) =>
        e instanceof PlaceholderError &&
        e.placeholders.length === 1 &&
        e.placeholders[0]?.startsWith('siem.accountId:') === true,
    );
  });

  it('synthesizes a complete deployment with its values and without the example marker', () => {
    const values = valuesOf();
    const deployed = synthesize({
      only: ['Organization', 'LogArchive'],
      config: realEmails(bourseConfig),
      platformConfig,
      context: { [DEPLOYMENT_CONTEXT]: values },
    });
    const text = JSON.stringify(deployed.artifacts.map((a) => a.template));
    assert.doesNotMatch(text, new RegExp(EXAMPLE_ONLY_RULE));
    for (const [path, example] of EXAMPLE_LEAVES) {
      if (/^\d{12}$/.test(example))
        assert.doesNotMatch(text, new RegExp(`\\b${example}\\b`), `${path} example id left in a template`);
    }
    assert.equal(
      deployed.artifact('LogArchive').environment.account,
      (values.accounts as Record<string, string>)['log-archive'],
    );
  });

  it('synthesizes the organization stack alone with only the management account id (the first deployment)', () => {
    const only = synthesize({
      config: realEmails(bourseConfig),
      platformConfig,
      context: {
        [DEPLOYMENT_CONTEXT]: { accounts: { management: '499999999999' } },
        [PHASE_CONTEXT]: 'organization',
      },
    });
    assert.deepEqual(
      only.artifacts.map((a) => a.hierarchicalId),
      ['Organization'],
    );
    assert.equal(only.artifact('Organization').environment.account, '499999999999');
  });

  it('marks every example template so that CloudFormation refuses to deploy it', () => {
    for (const artifact of synth.artifacts) {
      const rules = (artifact.template as { Rules?: Record<string, unknown> }).Rules ?? {};
      assert.ok(EXAMPLE_ONLY_RULE in rules, `${artifact.hierarchicalId} is deployable with example values`);
    }
  });
});
