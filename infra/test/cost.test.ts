import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { bourseConfig } from '../lib/config/bourse.config.ts';
import { synthesize } from './support/synth.ts';

const synth = synthesize({ only: ['Cost'] });
const template = synth.template('Cost');
const json = synth.json('Cost');

describe('cost stack', () => {
  it('sets a monthly budget per domain over its accounts, with forecast alerts to the owner', () => {
    for (const domain of bourseConfig.domains) {
      const accounts = bourseConfig.workloadAccounts.filter((a) => a.domain === domain.name).map((a) => a.id);
      template.hasResourceProperties('AWS::Budgets::Budget', {
        Budget: {
          BudgetName: `bourse-${domain.name}`,
          BudgetType: 'COST',
          TimeUnit: 'MONTHLY',
          BudgetLimit: { Amount: domain.monthlyBudgetUsd, Unit: 'USD' },
          CostFilters: { LinkedAccount: accounts },
        },
        NotificationsWithSubscribers: Match.arrayWith([
          {
            Notification: Match.objectLike({ NotificationType: 'FORECASTED', Threshold: 100 }),
            Subscribers: [{ SubscriptionType: 'EMAIL', Address: domain.ownerEmail }],
          },
        ]),
      });
    }
  });

  it('detects cost anomalies per domain and across services', () => {
    template.resourceCountIs('AWS::CE::AnomalyMonitor', bourseConfig.domains.length + 1);
    template.hasResourceProperties('AWS::CE::AnomalyMonitor', {
      MonitorType: 'DIMENSIONAL',
      MonitorDimension: 'SERVICE',
    });
    template.hasResourceProperties('AWS::CE::AnomalySubscription', {
      Frequency: 'DAILY',
      Subscribers: [{ Type: 'EMAIL', Address: bourseConfig.domains[0]?.ownerEmail }],
      ThresholdExpression: Match.stringLikeRegexp('ANOMALY_TOTAL_IMPACT_ABSOLUTE'),
    });
  });

  it("sends each domain owner a monthly report of each account's spend difference", () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 8 2 * ? *)' });
    const [fn] = Object.values(json.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    assert.ok(fn);
    assert.match(
      fn.Properties.Code.ZipFile,
      /GetCostAndUsageCommand[\s\S]*LINKED_ACCOUNT[\s\S]*PublishCommand/,
    );
    const domains = JSON.parse(fn.Properties.Environment.Variables.ACCOUNT_DOMAINS);
    assert.equal(Object.keys(domains).length, bourseConfig.workloadAccounts.length);
    for (const domain of bourseConfig.domains) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: domain.ownerEmail,
      });
      template.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: `bourse-cost-report-${domain.name}`,
        KmsMasterKeyId: Match.anyValue(),
      });
    }
  });

  it('leaves no cdk-nag or policy finding unacknowledged', () => {
    assert.deepEqual(synth.violations, []);
  });
});
