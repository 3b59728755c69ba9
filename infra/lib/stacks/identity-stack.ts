/**
 * IAM Identity Center (the only way people sign in): permission sets for admin, developer, read-only and on-call,
 * their group assignments, and on-demand, time-bound production access for on-call engineers after AWS's TEAM
 * sample: a request is approved, an assignment is created for a fixed duration and removed when it ends, and every
 * step is written to an audit table and the state machine's log.
 */
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { AccountPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { CfnAssignment, CfnPermissionSet } from 'aws-cdk-lib/aws-sso';
import {
  Choice,
  Condition,
  Fail,
  IntegrationPattern,
  JsonPath,
  Succeed,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import {
  CallAwsService,
  DynamoAttributeValue,
  DynamoPutItem,
  SnsPublish,
} from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { accountsOfEnvironment, allAccounts, type LandingZone } from '../config/landing-zone.ts';
import { AlertTopic } from '../constructs/alert-topic.ts';
import { AuditedStateMachine } from '../constructs/audited-state-machine.ts';

export interface IdentityStackProps extends StackProps {
  readonly zone: LandingZone;
}

export const PERMISSION_SETS = ['admin', 'developer', 'read-only', 'on-call'] as const;
export type PermissionSetName = (typeof PERMISSION_SETS)[number];

export const PRODUCTION_ACCESS_EVENT = {
  source: 'bourse.access',
  detailType: 'ProductionAccessRequested',
} as const;

export class IdentityStack extends Stack {
  readonly permissionSets: ReadonlyMap<PermissionSetName, CfnPermissionSet>;
  readonly productionAccess: AuditedStateMachine;
  readonly auditTable: Table;

  constructor(scope: Construct, id: string, props: IdentityStackProps) {
    super(scope, id, props);
    const { config } = props.zone;
    const { instanceArn, groups } = config.identity;
    const managed = (name: string) => `arn:aws:iam::aws:policy/${name}`;

    const sets = new Map<PermissionSetName, CfnPermissionSet>();
    const define = (
      name: PermissionSetName,
      description: string,
      hours: number,
      managedPolicies: string[],
      inline?: object,
    ) =>
      sets.set(
        name,
        new CfnPermissionSet(this, `PermissionSet-${name}`, {
          instanceArn,
          name: `${config.prefix}-${name}`,
          description,
          sessionDuration: `PT${hours}H`,
          managedPolicies: managedPolicies.map(managed),
          ...(inline ? { inlinePolicy: inline } : {}),
        }),
      );
    define('admin', 'Platform administrators', 1, ['AdministratorAccess']);
    define('developer', 'Builders of dev and staging; no IAM or organization changes', 8, [
      'PowerUserAccess',
    ]);
    define('read-only', 'Everyone: read everything, change nothing', 8, ['ReadOnlyAccess']);
    define('on-call', 'Granted in production for a fixed time after approval', 1, ['ReadOnlyAccess'], {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OperateServices',
          Effect: 'Allow',
          Action: [
            'ssm:StartSession',
            'ssm:TerminateSession',
            'ssm:ResumeSession',
            'ecs:UpdateService',
            'ecs:StopTask',
            'autoscaling:SetDesiredCapacity',
            'rds:RebootDBInstance',
            'rds:FailoverDBCluster',
          ],
          Resource: '*',
        },
      ],
    });
    this.permissionSets = sets;
    const arnOf = (name: PermissionSetName) => {
      const set = sets.get(name);
      if (!set) throw new Error(`no permission set ${name}`);
      return set.attrPermissionSetArn;
    };

    // Standing assignments. On-call has no standing assignment in production: it is granted on request.
    const shared = Object.values(config.sharedAccounts).map((a) => a.id);
    const nonProd = [
      ...accountsOfEnvironment(config, 'staging'),
      ...accountsOfEnvironment(config, 'dev'),
    ].map((a) => a.id);
    const standing: [PermissionSetName, string, readonly string[]][] = [
      ['admin', groups.admins, shared],
      ['read-only', groups.readOnly, allAccounts(config).map((a) => a.id)],
      ['developer', groups.developers, [...nonProd, config.sharedAccounts.sandbox.id]],
      ['on-call', groups.onCall, nonProd],
    ];
    for (const [set, group, accounts] of standing) {
      for (const account of accounts) {
        new CfnAssignment(this, `Assignment-${set}-${account}`, {
          instanceArn,
          permissionSetArn: arnOf(set),
          principalId: group,
          principalType: 'GROUP',
          targetId: account,
          targetType: 'AWS_ACCOUNT',
        });
      }
    }

    // Production access: audit table, approval topic, state machine, and the rule that starts it.
    this.auditTable = new Table(this, 'AccessAudit', {
      tableName: `${config.prefix}-production-access-audit`,
      partitionKey: { name: 'requestId', type: AttributeType.STRING },
      sortKey: { name: 'step', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const approvals = new AlertTopic(this, 'Approvals', {
      topicName: `${config.prefix}-production-access-approvals`,
      email: config.identity.approverEmail,
    });

    const record = (step: string) =>
      new DynamoPutItem(this, `Record-${step}`, {
        table: this.auditTable,
        item: {
          requestId: DynamoAttributeValue.fromString(JsonPath.executionName),
          step: DynamoAttributeValue.fromString(step),
          at: DynamoAttributeValue.fromString(JsonPath.stateEnteredTime),
          principalId: DynamoAttributeValue.fromString(JsonPath.stringAt('$.detail.principalId')),
          accountId: DynamoAttributeValue.fromString(JsonPath.stringAt('$.detail.accountId')),
          justification: DynamoAttributeValue.fromString(JsonPath.stringAt('$.detail.justification')),
        },
        resultPath: JsonPath.DISCARD,
      });

    const assignment = {
      InstanceArn: instanceArn,
      PermissionSetArn: arnOf('on-call'),
      PrincipalId: JsonPath.stringAt('$.detail.principalId'),
      PrincipalType: 'USER',
      TargetId: JsonPath.stringAt('$.detail.accountId'),
      TargetType: 'AWS_ACCOUNT',
    };
    const prodAccounts = accountsOfEnvironment(config, 'prod');
    const accountArns = prodAccounts.map((a) => `arn:aws:sso:::account/${a.id}`);
    const create = new CallAwsService(this, 'CreateAssignment', {
      service: 'ssoadmin',
      action: 'createAccountAssignment',
      iamAction: 'sso:CreateAccountAssignment',
      parameters: assignment,
      iamResources: [instanceArn, arnOf('on-call'), ...accountArns],
      resultPath: JsonPath.DISCARD,
    });
    const remove = new CallAwsService(this, 'DeleteAssignment', {
      service: 'ssoadmin',
      action: 'deleteAccountAssignment',
      iamAction: 'sso:DeleteAccountAssignment',
      parameters: assignment,
      iamResources: [instanceArn, arnOf('on-call'), ...accountArns],
      resultPath: JsonPath.DISCARD,
    });
    remove.addRetry({ maxAttempts: 10, interval: Duration.seconds(30), backoffRate: 2 });
    const approval = new SnsPublish(this, 'RequestApproval', {
      topic: approvals.topic,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      subject: 'Production access request',
      message: TaskInput.fromObject({
        request: JsonPath.executionName,
        principalId: JsonPath.stringAt('$.detail.principalId'),
        accountId: JsonPath.stringAt('$.detail.accountId'),
        justification: JsonPath.stringAt('$.detail.justification'),
        minutes: config.identity.productionAccessMinutes,
        approveWith: 'states:SendTaskSuccess with this token; reject with states:SendTaskFailure',
        taskToken: JsonPath.taskToken,
      }),
      taskTimeout: Timeout.duration(Duration.minutes(config.identity.approvalTimeoutMinutes)),
      resultPath: '$.approval',
    });
    const rejected = record('rejected').next(new Fail(this, 'Rejected', { error: 'AccessRejected' }));
    approval.addCatch(rejected, { errors: ['States.ALL'], resultPath: '$.error' });
    const failed = record('failed').next(new Fail(this, 'GrantFailed', { error: 'GrantFailed' }));
    create.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.error' });

    const isProdAccount = Condition.or(
      ...prodAccounts.map((a) => Condition.stringEquals('$.detail.accountId', a.id)),
    );
    const definition = record('requested').next(
      new Choice(this, 'IsProductionAccount')
        .when(
          isProdAccount,
          approval.next(
            record('approved')
              .next(create)
              .next(record('granted'))
              .next(
                new Wait(this, 'AccessWindow', {
                  time: WaitTime.duration(Duration.minutes(config.identity.productionAccessMinutes)),
                }),
              )
              .next(remove)
              .next(record('revoked'))
              .next(new Succeed(this, 'Done')),
          ),
        )
        .otherwise(rejected),
    );
    this.productionAccess = new AuditedStateMachine(this, 'ProductionAccess', {
      stateMachineName: `${config.prefix}-production-access`,
      definition,
      timeout: Duration.minutes(
        config.identity.approvalTimeoutMinutes + config.identity.productionAccessMinutes + 60,
      ),
    });
    new Rule(this, 'ProductionAccessRequested', {
      description: 'Starts a production access request',
      eventPattern: {
        source: [PRODUCTION_ACCESS_EVENT.source],
        detailType: [PRODUCTION_ACCESS_EVENT.detailType],
      },
      targets: [new SfnStateMachine(this.productionAccess.stateMachine)],
    });

    // Approvers answer through this role, which can do nothing but answer.
    const approver = new Role(this, 'ApproverRole', {
      roleName: `${config.prefix}-production-access-approver`,
      description: 'Approves or rejects production access requests',
      assumedBy: new AccountPrincipal(this.account),
      maxSessionDuration: Duration.hours(1),
    });
    this.productionAccess.stateMachine.grantTaskResponse(approver);
  }
}
