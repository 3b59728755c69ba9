/**
 * Automated account vending in the management account: an EventBridge event starts a state machine that creates
 * the account, moves it into its domain's OU, waits until the baseline StackSet has landed in every region, and
 * emails the owner. Vended accounts are then recorded in the configuration (see infra/README.md).
 *
 * Request event: source `bourse.vending`, detail-type `AccountRequested`,
 * detail `{ "name": "...", "email": "...", "domain": "<a domain or sandbox>", "ownerEmail": "..." }`.
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import {
  Choice,
  Condition,
  Fail,
  JsonPath,
  Pass,
  Result,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { CallAwsService } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { LandingZone } from '../config/landing-zone.ts';
import { AuditedStateMachine } from '../constructs/audited-state-machine.ts';
import { acknowledge } from '../constructs/nag.ts';

export interface AccountVendingStackProps extends StackProps {
  readonly zone: LandingZone;
  readonly rootId: string;
  /** OU ids by name; requests may name any domain or `sandbox`. */
  readonly ouIds: ReadonlyMap<string, string>;
  readonly baselineStackSetName: string;
}

export const ACCOUNT_REQUESTED_EVENT = { source: 'bourse.vending', detailType: 'AccountRequested' } as const;

export class AccountVendingStack extends Stack {
  readonly vending: AuditedStateMachine;

  constructor(scope: Construct, id: string, props: AccountVendingStackProps) {
    super(scope, id, props);
    const { zone } = props;
    const { config } = zone;

    const failed = new Fail(this, 'VendingFailed', { error: 'AccountVendingFailed' });

    const createAccount = new CallAwsService(this, 'CreateAccount', {
      service: 'organizations',
      action: 'createAccount',
      iamResources: ['*'],
      parameters: {
        AccountName: JsonPath.stringAt('$.detail.name'),
        Email: JsonPath.stringAt('$.detail.email'),
        IamUserAccessToBilling: 'DENY',
        Tags: [{ Key: 'bourse:owner', Value: JsonPath.stringAt('$.detail.ownerEmail') }],
      },
      resultSelector: { 'id.$': '$.CreateAccountStatus.Id' },
      resultPath: '$.request',
    });
    const describe = new CallAwsService(this, 'DescribeCreateAccountStatus', {
      service: 'organizations',
      action: 'describeCreateAccountStatus',
      iamResources: ['*'],
      parameters: { CreateAccountRequestId: JsonPath.stringAt('$.request.id') },
      resultSelector: {
        'state.$': '$.CreateAccountStatus.State',
        'accountId.$': '$.CreateAccountStatus.AccountId',
      },
      resultPath: '$.account',
    });
    const waitForAccount = new Wait(this, 'WaitForAccount', {
      time: WaitTime.duration(Duration.seconds(30)),
    });

    // The OU is chosen from the domain with one branch per OU, so the machine needs no lookup table.
    const resolveOu = new Choice(this, 'ResolveOu');
    const targetOus = [...config.domains.map((d) => d.name), 'sandbox'];
    const move = new CallAwsService(this, 'MoveAccount', {
      service: 'organizations',
      action: 'moveAccount',
      iamResources: ['*'],
      parameters: {
        AccountId: JsonPath.stringAt('$.account.accountId'),
        SourceParentId: props.rootId,
        DestinationParentId: JsonPath.stringAt('$.ouId'),
      },
      resultPath: JsonPath.DISCARD,
    });
    for (const name of targetOus) {
      const ouId = props.ouIds.get(name);
      if (!ouId) throw new Error(`no OU ${name}`);
      resolveOu.when(
        Condition.stringEquals('$.detail.domain', name),
        new Pass(this, `Ou-${name}`, { result: Result.fromString(ouId), resultPath: '$.ouId' }).next(move),
      );
    }
    resolveOu.otherwise(
      new Fail(this, 'UnknownDomain', { error: 'UnknownDomain', cause: 'detail.domain names no OU' }),
    );

    const listBaseline = new CallAwsService(this, 'ListBaselineInstances', {
      service: 'cloudformation',
      action: 'listStackInstances',
      iamResources: [
        `arn:aws:cloudformation:${this.region}:${this.account}:stackset/${props.baselineStackSetName}:*`,
      ],
      parameters: {
        StackSetName: props.baselineStackSetName,
        StackInstanceAccount: JsonPath.stringAt('$.account.accountId'),
        Filters: [{ Name: 'DETAILED_STATUS', Values: 'SUCCEEDED' }],
        CallAs: 'SELF',
      },
      resultSelector: { 'succeeded.$': 'States.ArrayLength($.Summaries)' },
      resultPath: '$.baseline',
    });
    const waitForBaseline = new Wait(this, 'WaitForBaseline', {
      time: WaitTime.duration(Duration.minutes(2)),
    });
    const notify = new CallAwsService(this, 'NotifyOwner', {
      service: 'sesv2',
      action: 'sendEmail',
      iamAction: 'ses:SendEmail',
      iamResources: [`arn:aws:ses:${this.region}:${this.account}:identity/${config.notificationSenderEmail}`],
      parameters: {
        FromEmailAddress: config.notificationSenderEmail,
        Destination: { ToAddresses: JsonPath.array(JsonPath.stringAt('$.detail.ownerEmail')) },
        Content: {
          Simple: {
            Subject: { Data: JsonPath.format('AWS account {} is ready', JsonPath.stringAt('$.detail.name')) },
            Body: {
              Text: {
                Data: JsonPath.format(
                  'Account {} ({}) is in the {} OU with the Bourse baseline in every region. Sign in through IAM Identity Center.',
                  JsonPath.stringAt('$.detail.name'),
                  JsonPath.stringAt('$.account.accountId'),
                  JsonPath.stringAt('$.detail.domain'),
                ),
              },
            },
          },
        },
      },
      resultPath: JsonPath.DISCARD,
    });

    const definition = createAccount
      .next(waitForAccount)
      .next(describe)
      .next(
        new Choice(this, 'AccountCreated')
          .when(Condition.stringEquals('$.account.state', 'SUCCEEDED'), resolveOu)
          .when(Condition.stringEquals('$.account.state', 'FAILED'), failed)
          .otherwise(waitForAccount),
      );
    move
      .next(waitForBaseline)
      .next(listBaseline)
      .next(
        new Choice(this, 'BaselineLanded')
          .when(Condition.numberGreaterThanEquals('$.baseline.succeeded', zone.regionNames.length), notify)
          .otherwise(waitForBaseline),
      );

    this.vending = new AuditedStateMachine(this, 'AccountVending', {
      stateMachineName: `${config.prefix}-account-vending`,
      definition,
      timeout: Duration.hours(3),
    });
    acknowledge(
      this.vending,
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'organizations:CreateAccount, DescribeCreateAccountStatus and MoveAccount run on accounts that do not exist yet.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:aws:cloudformation:${this.region}:${this.account}:stackset/${props.baselineStackSetName}:*]`,
        reason:
          'A StackSet ARN ends in an id CloudFormation assigns; the wildcard covers only that id of the named StackSet.',
      },
    );
    new Rule(this, 'AccountRequested', {
      description: 'Starts account vending',
      eventPattern: {
        source: [ACCOUNT_REQUESTED_EVENT.source],
        detailType: [ACCOUNT_REQUESTED_EVENT.detailType],
      },
      targets: [new SfnStateMachine(this.vending.stateMachine)],
    });
  }
}
