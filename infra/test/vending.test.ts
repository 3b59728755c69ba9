import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { bourseConfig } from '../lib/config/bourse.config.ts';
import { synthesize } from './support/synth.ts';

const synth = synthesize({ only: ['Organization', 'Baseline', 'AccountVending'] });
const template = synth.template('AccountVending');
const json = synth.json('AccountVending');
const [machine] = Object.values(json.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
assert.ok(machine);
const definition = JSON.stringify(machine.Properties.DefinitionString);

describe('account vending', () => {
  it('is started by an EventBridge request event', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['bourse.vending'], 'detail-type': ['AccountRequested'] },
      Targets: [
        Match.objectLike({
          Arn: { Ref: Object.entries(json.Resources).find(([, r]) => r === machine)?.[0] },
        }),
      ],
    });
  });

  it('creates the account, moves it to its OU, waits for the baseline and notifies the owner, in that order', () => {
    const order = [
      'CreateAccount',
      'DescribeCreateAccountStatus',
      'MoveAccount',
      'ListBaselineInstances',
      'NotifyOwner',
    ];
    const positions = order.map((s) => definition.indexOf(`\\"${s}\\":{`));
    assert.ok(
      positions.every((p) => p > 0),
      String(positions),
    );
    assert.match(definition, /organizations:createAccount/);
    assert.match(definition, /organizations:moveAccount/);
    assert.match(definition, /cloudformation:listStackInstances/);
    assert.match(definition, /bourse-account-baseline/);
    assert.match(definition, /sesv2:sendEmail/);
  });

  it('chooses the OU from the request, for every domain and the sandbox, and rejects unknown domains', () => {
    for (const name of [...bourseConfig.domains.map((d) => d.name), 'sandbox']) {
      assert.ok(definition.includes(`Ou-${name}`), name);
    }
    assert.match(definition, /UnknownDomain/);
  });

  it('waits until the baseline succeeded in both regions', () => {
    assert.match(definition, new RegExp(`NumericGreaterThanEquals\\\\":${bourseConfig.regions.length}`));
    assert.match(definition, /DETAILED_STATUS/);
  });

  it('logs every step and traces executions', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      TracingConfiguration: { Enabled: true },
    });
  });

  it('leaves no cdk-nag or policy finding unacknowledged', () => {
    assert.deepEqual(synth.violations, []);
  });
});
