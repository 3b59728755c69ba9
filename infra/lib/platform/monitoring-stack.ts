/**
 * The second, independent monitoring path and the remediation path of one environment, in the home region.
 *
 *   CloudWatch alarms (platform resources, every service) ─┐
 *   Synthetics canaries on the public API ── alarms ───────┤──▶ EventBridge ──▶ Step Functions remediation
 *   Alertmanager ──▶ remediation controller ──PutEvents──▶ ┘      (restart or scale an ECS service; every
 *                                                                   action logged, with input and output)
 *
 * It uses only AWS-managed signals, so it keeps working when the VictoriaMetrics path does not.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Choice, Condition, Fail, JsonPath, Pass, Succeed } from 'aws-cdk-lib/aws-stepfunctions';
import { CallAwsService, DynamoAttributeValue, DynamoPutItem } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Canary, Code, Runtime, Schedule } from 'aws-cdk-lib/aws-synthetics';
import type { Construct } from 'constructs';
import { AuditedStateMachine } from '../constructs/audited-state-machine.ts';
import { acknowledge } from '../constructs/nag.ts';
import type { ComputeStack } from './compute-stack.ts';
import { PlatformStack, type PlatformStackProps } from './environment.ts';
import { arnOf, resourceFinding } from './nag-ids.ts';

/** Public API paths the canaries call, expecting 200. */
export const CANARY_CHECKS = [
  { name: 'ping', path: '/api/v3/ping' },
  { name: 'time', path: '/api/v3/time' },
  { name: 'depth', path: '/api/v3/depth?symbol=BTCUSDT&limit=5' },
] as const;

export const REMEDIATION_SOURCE = 'bourse.remediation';
export const REMEDIATION_ACTIONS = ['restart', 'scale-out'] as const;

export interface MonitoringStackProps extends PlatformStackProps {
  readonly compute: ComputeStack;
  /** Platform alarms to add beside the services' own: metric, threshold, comparison. */
  readonly platformAlarms: readonly {
    readonly id: string;
    readonly description: string;
    readonly metric: Metric;
    readonly threshold: number;
    readonly comparison: ComparisonOperator;
  }[];
}

export function canaryScript(baseUrl: string): string {
  return `const { URL } = require('node:url');
const synthetics = require('Synthetics');
const log = require('SyntheticsLogger');
const checks = ${JSON.stringify(CANARY_CHECKS)};
exports.handler = async () => {
  for (const check of checks) {
    const url = new URL(check.path, '${baseUrl}');
    await synthetics.executeHttpStep(check.name, {
      hostname: url.hostname, method: 'GET', path: url.pathname + url.search, port: 443, protocol: 'https:',
    }, async (res) => {
      if (res.statusCode !== 200) throw new Error(check.name + ' answered ' + res.statusCode);
      log.info(check.name + ' ok');
    });
  }
};
`;
}

export class MonitoringStack extends PlatformStack {
  readonly remediationBus: EventBus;
  readonly remediation: AuditedStateMachine;
  readonly canaries: readonly Canary[];

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const env = props.platformEnv;
    const alarmAction = new SnsAction(props.compute.alarms.topic);
    const baseUrl = `https://api.${env.settings.zoneName}`;

    // Canaries.
    const artifacts = new Bucket(this, 'CanaryArtifacts', {
      bucketName: `${env.name}-canaries-${this.account}-${this.region}`,
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(30), noncurrentVersionExpiration: Duration.days(7) }],
    });
    acknowledge(artifacts, {
      id: 'AwsSolutions-S1',
      reason:
        'Canary screenshots and reports are short-lived test output; CloudTrail data events cover access.',
    });
    const canary = new Canary(this, 'PublicApi', {
      canaryName: `${env.environment.name}-public-api`.slice(0, 21),
      runtime: Runtime.SYNTHETICS_NODEJS_PUPPETEER_9_1,
      test: { code: Code.fromInline(canaryScript(baseUrl)), handler: 'index.handler' } as never,
      schedule: Schedule.rate(Duration.minutes(1)),
      artifactsBucketLocation: { bucket: artifacts },
      successRetentionPeriod: Duration.days(7),
      failureRetentionPeriod: Duration.days(30),
      activeTracing: false,
    });
    this.canaries = [canary];
    acknowledge(
      canary,
      {
        id: resourceFinding(`${arnOf(artifacts)}/*`),
        reason: 'The canary writes its run artifacts under its own prefixes of its own bucket.',
      },
      {
        id: resourceFinding(
          `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:/aws/lambda/cwsyn-*`,
        ),
        reason: 'Synthetics names the canary function, hence its log group, with a generated cwsyn- prefix.',
      },
      {
        id: resourceFinding('*'),
        reason:
          'cloudwatch:PutMetricData (condition-scoped to the CloudWatchSynthetics namespace) and s3:ListAllMyBuckets have no resource type.',
      },
    );
    const canaryAlarm = new Alarm(this, 'PublicApiDown', {
      alarmName: `${env.name}/public-api/notify-canary`,
      alarmDescription: `The public API canary (${baseUrl}) failed 2 of 3 runs`,
      metric: canary.metricSuccessPercent({ period: Duration.minutes(1) }),
      threshold: 100,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
    });
    canaryAlarm.addAlarmAction(alarmAction);
    for (const a of props.platformAlarms) {
      new Alarm(this, a.id, {
        alarmName: `${env.name}/platform/notify-${a.id}`,
        alarmDescription: a.description,
        metric: a.metric,
        threshold: a.threshold,
        evaluationPeriods: 3,
        comparisonOperator: a.comparison,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(alarmAction);
    }

    // Remediation.
    this.remediationBus = new EventBus(this, 'RemediationBus', { eventBusName: `${env.name}-remediation` });
    const audit = new Table(this, 'RemediationAudit', {
      tableName: `${env.name}-remediation-audit`,
      partitionKey: { name: 'executionId', type: AttributeType.STRING },
      sortKey: { name: 'at', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const cluster = props.compute.cluster;
    const serviceArnPattern = `arn:${this.partition}:ecs:${this.region}:${this.account}:service/${env.name}/*`;
    const serviceArns = [serviceArnPattern];
    const record = (id: string, outcome: string) =>
      new DynamoPutItem(this, id, {
        table: audit,
        item: {
          executionId: DynamoAttributeValue.fromString(JsonPath.executionId),
          at: DynamoAttributeValue.fromString(JsonPath.stateEnteredTime),
          service: DynamoAttributeValue.fromString(JsonPath.stringAt('$.service')),
          action: DynamoAttributeValue.fromString(JsonPath.stringAt('$.action')),
          reason: DynamoAttributeValue.fromString(JsonPath.stringAt('$.reason')),
          outcome: DynamoAttributeValue.fromString(outcome),
        },
        resultPath: JsonPath.DISCARD,
      });
    const restart = new CallAwsService(this, 'Restart', {
      service: 'ecs',
      action: 'updateService',
      parameters: {
        Cluster: cluster.clusterName,
        'Service.$': '$.service',
        ForceNewDeployment: true,
      },
      iamResources: serviceArns,
      iamAction: 'ecs:UpdateService',
      resultPath: JsonPath.DISCARD,
    });
    const describe = new CallAwsService(this, 'ReadDesiredCount', {
      service: 'ecs',
      action: 'describeServices',
      parameters: { Cluster: cluster.clusterName, 'Services.$': 'States.Array($.service)' },
      iamResources: serviceArns,
      iamAction: 'ecs:DescribeServices',
      resultSelector: { 'desired.$': '$.Services[0].DesiredCount' },
      resultPath: '$.current',
    });
    const scaleOut = new CallAwsService(this, 'ScaleOut', {
      service: 'ecs',
      action: 'updateService',
      parameters: {
        Cluster: cluster.clusterName,
        'Service.$': '$.service',
        'DesiredCount.$': 'States.MathAdd($.current.desired, 1)',
      },
      iamResources: serviceArns,
      iamAction: 'ecs:UpdateService',
      resultPath: JsonPath.DISCARD,
    });
    // An alarm named `<env>/<service>/<action>`, or an event from the remediation controller, becomes
    // { service, action, reason }; then the request is logged before anything is done.
    const logRequest = record('LogRequest', 'requested');
    const fromAlarm = new Pass(this, 'SplitAlarmName', {
      parameters: { 'parts.$': "States.StringSplit($.alarm, '/')", 'reason.$': '$.reason' },
    }).next(
      new Pass(this, 'FromAlarm', {
        parameters: {
          'service.$': 'States.ArrayGetItem($.parts, 1)',
          'action.$': 'States.ArrayGetItem($.parts, 2)',
          'reason.$': '$.reason',
        },
      }).next(logRequest),
    );
    const fromController = new Pass(this, 'FromController', {
      parameters: { 'service.$': '$.service', 'action.$': '$.action', 'reason.$': '$.reason' },
    }).next(logRequest);
    const parse = new Choice(this, 'WhichSource')
      .when(Condition.isPresent('$.alarm'), fromAlarm)
      .otherwise(fromController);
    const done = new Succeed(this, 'Done');
    logRequest.next(
      new Choice(this, 'WhichAction')
        .when(
          Condition.stringEquals('$.action', 'restart'),
          restart.next(record('LogRestarted', 'restarted')).next(done),
        )
        .when(
          Condition.stringEquals('$.action', 'scale-out'),
          describe.next(scaleOut).next(record('LogScaledOut', 'scaled-out')).next(done),
        )
        .otherwise(
          record('LogIgnored', 'ignored: not an automatic action').next(
            new Fail(this, 'NotRemediable', { error: 'NotRemediable', cause: 'The alarm asks for a human' }),
          ),
        ),
    );
    this.remediation = new AuditedStateMachine(this, 'Remediation', {
      stateMachineName: `${env.name}-remediation`,
      definition: parse,
      timeout: Duration.minutes(10),
    });

    acknowledge(this.remediation.stateMachine, {
      id: resourceFinding(serviceArnPattern),
      reason: "Remediation may restart or scale any service of this environment's cluster, and only those.",
    });
    const target = (input: RuleTargetInput) => new SfnStateMachine(this.remediation.stateMachine, { input });
    new Rule(this, 'FromAlarms', {
      description: 'Service alarms whose name ends in an automatic action start a remediation',
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        detail: {
          alarmName: REMEDIATION_ACTIONS.map((action) => ({ wildcard: `${env.name}/*/${action}` })),
          state: { value: ['ALARM'] },
        },
      } as never,
      targets: [
        target(
          RuleTargetInput.fromObject({
            alarm: EventField.fromPath('$.detail.alarmName'),
            reason: EventField.fromPath('$.detail.state.reason'),
          }),
        ),
      ],
    });
    new Rule(this, 'FromAlertmanager', {
      description: 'Remediation requests the controller forwards from Alertmanager',
      eventBus: this.remediationBus,
      eventPattern: { source: [REMEDIATION_SOURCE], detailType: ['RemediationRequested'] },
      targets: [
        target(
          RuleTargetInput.fromObject({
            service: EventField.fromPath('$.detail.service'),
            action: EventField.fromPath('$.detail.action'),
            reason: EventField.fromPath('$.detail.reason'),
          }),
        ),
      ],
    });
  }
}
