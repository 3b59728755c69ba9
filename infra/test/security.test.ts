import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { bourseConfig } from '../lib/config/bourse.config.ts';
import { GUARDDUTY_FEATURES, ORGANIZATION_CONFIG_RULES } from '../lib/stacks/security-services-stack.ts';
import { synthesize } from './support/synth.ts';

const [home, second] = bourseConfig.regions.map((r) => r.name);
const ids = bourseConfig.regions.flatMap((r) => [
  `SecurityDelegation-${r.name}`,
  `SecurityServices-${r.name}`,
]);
const synth = synthesize({ only: ['Organization', ...ids] });
const securityId = bourseConfig.sharedAccounts.security.id;
const services = synth.template(`SecurityServices-${home}`);

describe('security services', () => {
  it('delegates GuardDuty, Security Hub and Inspector to the security account in both regions', () => {
    for (const region of [home, second]) {
      const delegation = synth.template(`SecurityDelegation-${region}`);
      assert.equal(
        synth.artifact(`SecurityDelegation-${region}`).environment.account,
        bourseConfig.sharedAccounts.management.id,
      );
      delegation.hasResourceProperties('AWS::SecurityHub::DelegatedAdmin', { AdminAccountId: securityId });
      delegation.hasResourceProperties('Custom::AWS', {
        Create: Match.stringLikeRegexp(`enableOrganizationAdminAccount.*${securityId}`),
      });
      delegation.hasResourceProperties('Custom::AWS', {
        Create: Match.stringLikeRegexp(`enableDelegatedAdminAccount.*${securityId}`),
      });
    }
  });

  it('enables GuardDuty with its protection plans for every member', () => {
    services.hasResourceProperties('AWS::GuardDuty::Detector', {
      Enable: true,
      Features: GUARDDUTY_FEATURES.map((Name) => ({ Name, Status: 'ENABLED' })),
    });
    // The detector id is a reference, so the call is a Fn::Join; look for its parts.
    const calls = Object.values(synth.json(`SecurityServices-${home}`).Resources)
      .filter((r) => r.Type === 'Custom::AWS')
      .map((r) => JSON.stringify(r.Properties.Create));
    const guardDuty = calls.find(
      (c) => c.includes('GuardDuty') && c.includes('updateOrganizationConfiguration'),
    );
    assert.ok(guardDuty);
    assert.match(guardDuty, /AutoEnableOrganizationMembers\\":\\"ALL/);
    for (const feature of GUARDDUTY_FEATURES) assert.ok(guardDuty.includes(feature));
  });

  it('enables Security Hub with default standards for every member, aggregated in the home region', () => {
    services.hasResourceProperties('AWS::SecurityHub::Hub', { EnableDefaultStandards: true });
    services.hasResourceProperties('AWS::SecurityHub::OrganizationConfiguration', {
      AutoEnable: true,
      AutoEnableStandards: 'DEFAULT',
    });
    services.hasResourceProperties('AWS::SecurityHub::FindingAggregator', { Regions: [second] });
    synth.template(`SecurityServices-${second}`).resourceCountIs('AWS::SecurityHub::FindingAggregator', 0);
  });

  it('enables Inspector scanning of EC2, ECR and Lambda for every member', () => {
    services.hasResourceProperties('Custom::AWS', {
      Create: Match.stringLikeRegexp('"action":"enable".*"EC2","ECR","LAMBDA","LAMBDA_CODE"'),
    });
    services.hasResourceProperties('Custom::AWS', {
      Create: Match.stringLikeRegexp(
        'updateOrganizationConfiguration.*"autoEnable":\\{"ec2":true,"ecr":true',
      ),
    });
  });

  it('deploys the organization Config rules, global ones in the home region only', () => {
    for (const rule of ORGANIZATION_CONFIG_RULES) {
      services.hasResourceProperties('AWS::Config::OrganizationConfigRule', {
        OrganizationManagedRuleMetadata: { RuleIdentifier: rule.identifier },
      });
    }
    const regional = ORGANIZATION_CONFIG_RULES.filter((r) => !r.global).length;
    synth
      .template(`SecurityServices-${second}`)
      .resourceCountIs('AWS::Config::OrganizationConfigRule', regional);
    services.hasResourceProperties('AWS::Config::ConfigurationAggregator', {
      OrganizationAggregationSource: Match.objectLike({ AllAwsRegions: true }),
    });
  });

  it('alerts the security team on Config non-compliance and serious findings', () => {
    services.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.securityhub'],
        detail: {
          findings: Match.objectLike({ ProductName: ['Config'], Compliance: { Status: ['FAILED'] } }),
        },
      },
      Targets: [Match.objectLike({ Arn: Match.anyValue() })],
    });
    services.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.guardduty'] }),
    });
    services.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: bourseConfig.securityEmail,
    });
  });

  it('leaves no cdk-nag or policy finding unacknowledged', () => {
    assert.deepEqual(synth.violations, []);
  });
});
