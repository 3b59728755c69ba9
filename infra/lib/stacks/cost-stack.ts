/**
 * Cost controls in the management (payer) account: a monthly budget per domain with forecast alerts, cost anomaly
 * detection per domain and across services, and a monthly report of each account's spend difference sent to its
 * domain owner.
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnBudget } from 'aws-cdk-lib/aws-budgets';
import { CfnAnomalyMonitor, CfnAnomalySubscription } from 'aws-cdk-lib/aws-ce';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFn, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { accountsOfDomain, type LandingZone } from '../config/landing-zone.ts';
import { acknowledge, LAMBDA_BASIC_EXECUTION } from '../constructs/nag.ts';

export interface CostStackProps extends StackProps {
  readonly zone: LandingZone;
}

/** Compares last month with the month before, per account, and publishes one report per domain. */
export const MONTHLY_REPORT_HANDLER = `
const { CostExplorerClient, GetCostAndUsageCommand } = require('@aws-sdk/client-cost-explorer');
const { SNSClient, PublishCommand } = require('@aws-sdk/client-sns');
const day = (d) => d.toISOString().slice(0, 10);
exports.handler = async () => {
  const domains = JSON.parse(process.env.ACCOUNT_DOMAINS);
  const topics = JSON.parse(process.env.DOMAIN_TOPICS);
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const result = await new CostExplorerClient({}).send(new GetCostAndUsageCommand({
    TimePeriod: { Start: day(start), End: day(end) },
    Granularity: 'MONTHLY',
    Metrics: ['UnblendedCost'],
    GroupBy: [{ Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' }],
  }));
  const spend = (period, account) =>
    Number(period.Groups.find((g) => g.Keys[0] === account)?.Metrics.UnblendedCost.Amount ?? 0);
  const [before, last] = result.ResultsByTime;
  const lines = {};
  for (const [account, domain] of Object.entries(domains)) {
    const diff = spend(last, account) - spend(before, account);
    (lines[domain] ??= []).push(account + ': ' + spend(last, account).toFixed(2) + ' USD (' + (diff >= 0 ? '+' : '') + diff.toFixed(2) + ')');
  }
  const sns = new SNSClient({});
  for (const [domain, topic] of Object.entries(topics)) {
    await sns.send(new PublishCommand({
      TopicArn: topic,
      Subject: 'AWS spend for ' + domain + ', ' + last.TimePeriod.Start.slice(0, 7),
      Message: ['Spend per account last month and its difference from the month before:', ...(lines[domain] ?? [])].join('\\n'),
    }));
  }
};
`;

export class CostStack extends Stack {
  constructor(scope: Construct, id: string, props: CostStackProps) {
    super(scope, id, props);
    const { config } = props.zone;
    const key = new Key(this, 'ReportKey', {
      description: 'Encrypts the cost report topics',
      enableKeyRotation: true,
    });
    const topics: Record<string, string> = {};
    const accountDomains: Record<string, string> = {};
    const reporter = new LambdaFn(this, 'MonthlyReport', {
      runtime: Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: Code.fromInline(MONTHLY_REPORT_HANDLER),
      timeout: Duration.minutes(5),
      description:
        "Sends each domain owner last month's spend per account and its difference from the month before",
    });

    for (const domain of config.domains) {
      const accounts = accountsOfDomain(config, domain.name).map((a) => a.id);
      for (const id of accounts) accountDomains[id] = domain.name;

      new CfnBudget(this, `Budget-${domain.name}`, {
        budget: {
          budgetName: `${config.prefix}-${domain.name}`,
          budgetType: 'COST',
          timeUnit: 'MONTHLY',
          budgetLimit: { amount: domain.monthlyBudgetUsd, unit: 'USD' },
          costFilters: { LinkedAccount: accounts },
        },
        notificationsWithSubscribers: [
          { type: 'FORECASTED', threshold: 100 },
          { type: 'ACTUAL', threshold: 80 },
        ].map((n) => ({
          notification: {
            notificationType: n.type,
            comparisonOperator: 'GREATER_THAN',
            threshold: n.threshold,
            thresholdType: 'PERCENTAGE',
          },
          subscribers: [{ subscriptionType: 'EMAIL', address: domain.ownerEmail }],
        })),
      });

      const monitor = new CfnAnomalyMonitor(this, `AnomalyMonitor-${domain.name}`, {
        monitorName: `${config.prefix}-${domain.name}`,
        monitorType: 'CUSTOM',
        monitorSpecification: JSON.stringify({ Dimensions: { Key: 'LINKED_ACCOUNT', Values: accounts } }),
      });
      new CfnAnomalySubscription(this, `AnomalySubscription-${domain.name}`, {
        subscriptionName: `${config.prefix}-${domain.name}`,
        monitorArnList: [monitor.attrMonitorArn],
        frequency: 'DAILY',
        subscribers: [{ type: 'EMAIL', address: domain.ownerEmail }],
        thresholdExpression: JSON.stringify({
          Dimensions: {
            Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
            MatchOptions: ['GREATER_THAN_OR_EQUAL'],
            Values: [String(config.costAnomalyThresholdUsd)],
          },
        }),
      });

      const topic = new Topic(this, `Report-${domain.name}`, {
        topicName: `${config.prefix}-cost-report-${domain.name}`,
        masterKey: key,
        enforceSSL: true,
      });
      topic.addSubscription(new EmailSubscription(domain.ownerEmail));
      topic.grantPublish(reporter);
      topics[domain.name] = topic.topicArn;
    }

    const services = new CfnAnomalyMonitor(this, 'AnomalyMonitor-services', {
      monitorName: `${config.prefix}-services`,
      monitorType: 'DIMENSIONAL',
      monitorDimension: 'SERVICE',
    });
    new CfnAnomalySubscription(this, 'AnomalySubscription-services', {
      subscriptionName: `${config.prefix}-services`,
      monitorArnList: [services.attrMonitorArn],
      frequency: 'DAILY',
      subscribers: [{ type: 'EMAIL', address: config.securityEmail }],
      thresholdExpression: JSON.stringify({
        Dimensions: {
          Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
          MatchOptions: ['GREATER_THAN_OR_EQUAL'],
          Values: [String(config.costAnomalyThresholdUsd)],
        },
      }),
    });

    reporter.addEnvironment('ACCOUNT_DOMAINS', JSON.stringify(accountDomains));
    reporter.addEnvironment('DOMAIN_TOPICS', this.toJsonString(topics));
    reporter.addToRolePolicy(new PolicyStatement({ actions: ['ce:GetCostAndUsage'], resources: ['*'] }));
    acknowledge(
      reporter,
      {
        id: `AwsSolutions-IAM4[Policy::${LAMBDA_BASIC_EXECUTION}]`,
        reason:
          'The report function only writes its own logs, which is what the basic execution role allows.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'Cost Explorer queries support no resource-level permissions.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          'Publishing to the encrypted report topics needs every GenerateDataKey variant, on that one key only.',
      },
    );
    new Rule(this, 'MonthlyReportSchedule', {
      description: 'On the second of each month, once the previous month is closed',
      schedule: Schedule.cron({ day: '2', hour: '8', minute: '0' }),
      targets: [new LambdaFunction(reporter)],
    });
  }
}
