import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { bourseConfig } from '../lib/config/bourse.config.ts';
import { PERMISSION_SETS } from '../lib/stacks/identity-stack.ts';
import { synthesize } from './support/synth.ts';

const synth = synthesize({ only: ['Identity'] });
const template = synth.template('Identity');
const json = synth.json('Identity');
const { groups } = bourseConfig.identity;
const prodIds = bourseConfig.workloadAccounts.filter((a) => a.environment === 'prod').map((a) => a.id);

function definitionOf(): string {
  const [machine] = Object.values(json.Resources).filter(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  assert.ok(machine);
  return JSON.stringify(machine.Properties.DefinitionString);
}

describe('identity stack', () => {
  it('defines the admin, developer, read-only and on-call permission sets in Identity Center', () => {
    for (const name of PERMISSION_SETS) {
      template.hasResourceProperties('AWS::SSO::PermissionSet', {
        Name: `bourse-${name}`,
        InstanceArn: bourseConfig.identity.instanceArn,
      });
    }
    template.hasResourceProperties('AWS::SSO::PermissionSet', {
      Name: 'bourse-admin',
      SessionDuration: 'PT1H',
    });
  });

  it('assigns groups to accounts, with no standing on-call or developer access to production', () => {
    const assignments = Object.values(json.Resources)
      .filter((r) => r.Type === 'AWS::SSO::Assignment')
      .map((r) => r.Properties);
    assert.ok(assignments.every((a) => a.PrincipalType === 'GROUP'));
    const forGroup = (group: string) =>
      assignments.filter((a) => a.PrincipalId === group).map((a) => a.TargetId);
    assert.equal(forGroup(groups.readOnly).length, 6 + bourseConfig.workloadAccounts.length);
    for (const id of prodIds) {
      assert.ok(!forGroup(groups.onCall).includes(id));
      assert.ok(!forGroup(groups.developers).includes(id));
    }
    assert.ok(forGroup(groups.admins).includes(bourseConfig.sharedAccounts.management.id));
  });

  it('grants production access only after approval, for a fixed time, and removes it', () => {
    const definition = definitionOf();
    const order = ['RequestApproval', 'CreateAssignment', 'AccessWindow', 'DeleteAssignment'];
    const positions = order.map((state) => definition.indexOf(`\\"${state}\\":{`));
    assert.ok(
      positions.every((p) => p > 0),
      `${order} in ${positions}`,
    );
    assert.match(definition, /waitForTaskToken/);
    assert.match(
      definition,
      new RegExp(`\\\\"Seconds\\\\":${bourseConfig.identity.productionAccessMinutes * 60}`),
    );
    assert.match(definition, /sso:createAccountAssignment|ssoadmin:createAccountAssignment/);
    assert.match(definition, /ssoadmin:deleteAccountAssignment/);
    for (const id of prodIds) assert.ok(definition.includes(id), `production account ${id} is accepted`);
  });

  it('logs every step to the audit table and the state machine log', () => {
    const definition = definitionOf();
    for (const step of ['requested', 'approved', 'granted', 'revoked', 'rejected', 'failed']) {
      assert.ok(definition.includes(`Record-${step}`), step);
    }
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      TracingConfiguration: { Enabled: true },
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: Match.anyValue(),
      RetentionInDays: 365,
    });
  });

  it('starts on a request event and lets approvers only answer', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['bourse.access'], 'detail-type': ['ProductionAccessRequested'] },
    });
    const approverPolicy = Object.values(json.Resources).find(
      (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes('ApproverRole'),
    );
    assert.ok(approverPolicy);
    const actions = approverPolicy.Properties.PolicyDocument.Statement.flatMap(
      (s: { Action: string | string[] }) => s.Action,
    );
    assert.deepEqual([...actions].sort(), [
      'states:SendTaskFailure',
      'states:SendTaskHeartbeat',
      'states:SendTaskSuccess',
    ]);
  });

  it('creates no IAM users', () => {
    template.resourceCountIs('AWS::IAM::User', 0);
  });

  it('leaves no cdk-nag or policy finding unacknowledged', () => {
    assert.deepEqual(synth.violations, []);
  });
});
