/**
 * Central logging in the log archive account: the organization CloudTrail (all regions, log file validation, KMS,
 * versioned and object-locked bucket), the buckets that receive VPC flow logs, Network Firewall logs, Session
 * Manager logs and Config snapshots from every account, an SNS topic announcing each new log object, and the
 * read-only role through which the SIEM reads them.
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Trail } from 'aws-cdk-lib/aws-cloudtrail';
import {
  AccountPrincipal,
  AnyPrincipal,
  Effect,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Topic, type TopicPolicy } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { LandingZone } from '../config/landing-zone.ts';
import { type LogKind, logBucketArn, logBucketName, ORGANIZATION_TRAIL_NAME } from '../config/names.ts';
import { LogBucket } from '../constructs/log-bucket.ts';
import { acknowledge } from '../constructs/nag.ts';

export interface LogArchiveStackProps extends StackProps {
  readonly zone: LandingZone;
}

export class LogArchiveStack extends Stack {
  readonly key: Key;
  readonly buckets: ReadonlyMap<LogKind, Bucket>;
  readonly topic: Topic;
  readonly siemRole: Role;
  readonly trail: Trail;

  constructor(scope: Construct, id: string, props: LogArchiveStackProps) {
    super(scope, id, props);
    const { zone } = props;
    const { config } = zone;
    const orgCondition = { StringEquals: { 'aws:SourceOrgID': config.organizationId } };

    this.key = new Key(this, 'LogsKey', {
      alias: `${config.prefix}/logs`,
      description: 'Encrypts every log in the log archive',
      enableKeyRotation: true,
    });
    // Log-delivering services of every account in the organization may encrypt with the key.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowLogDeliveryFromTheOrganization',
        principals: [
          new ServicePrincipal('cloudtrail.amazonaws.com'),
          new ServicePrincipal('delivery.logs.amazonaws.com'),
          new ServicePrincipal('config.amazonaws.com'),
        ],
        actions: ['kms:GenerateDataKey*', 'kms:Encrypt', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: orgCondition,
      }),
    );
    // Session Manager writes session logs with the caller's credentials, so principals of the organization may too.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowSessionLogWritersInTheOrganization',
        principals: [new AnyPrincipal()],
        actions: ['kms:GenerateDataKey*', 'kms:Encrypt', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'aws:PrincipalOrgID': config.organizationId,
            'kms:ViaService': `s3.${zone.homeRegion}.amazonaws.com`,
          },
        },
      }),
    );

    const retentionDays = config.siem.logRetentionDays;
    const accessLogs = new LogBucket(this, 'AccessLogs', {
      bucketName: logBucketName(zone, 'access-logs'),
      retentionDays,
    }).bucket;
    acknowledge(accessLogs, {
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log target of the log archive; logging it to itself would loop.',
    });
    const make = (kind: LogKind, objectLockDays?: number) =>
      new LogBucket(this, `Bucket-${kind}`, {
        bucketName: logBucketName(zone, kind),
        encryptionKey: this.key,
        accessLogsBucket: accessLogs,
        retentionDays,
        ...(objectLockDays ? { objectLockDays } : {}),
      }).bucket;
    const buckets = new Map<LogKind, Bucket>([
      ['access-logs', accessLogs],
      ['cloudtrail', make('cloudtrail', 365)],
      ['flow-logs', make('flow-logs')],
      ['session-logs', make('session-logs')],
      ['config', make('config')],
    ]);
    this.buckets = buckets;
    const bucket = (kind: LogKind) => {
      const b = buckets.get(kind);
      if (!b) throw new Error(`no ${kind} bucket`);
      return b;
    };

    // VPC flow logs and Network Firewall logs: the log delivery service writes on behalf of member accounts.
    const flowLogs = bucket('flow-logs');
    flowLogs.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AWSLogDeliveryWrite',
        principals: [new ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [flowLogs.arnForObjects('AWSLogs/*')],
        conditions: {
          StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...orgCondition.StringEquals },
        },
      }),
    );
    flowLogs.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AWSLogDeliveryAclCheck',
        principals: [new ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['s3:GetBucketAcl', 's3:ListBucket'],
        resources: [flowLogs.bucketArn],
        conditions: orgCondition,
      }),
    );
    // Session Manager logs are written by the instance role of each account's managed instances.
    const sessionLogs = bucket('session-logs');
    sessionLogs.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowSessionLogsFromTheOrganization',
        principals: [new AnyPrincipal()],
        actions: ['s3:PutObject'],
        // An IAM policy variable: each account writes under its own id only.
        // biome-ignore lint/suspicious/noTemplateCurlyInString: IAM policy variable, not a template literal.
        resources: [sessionLogs.arnForObjects('${aws:PrincipalAccount}/*')],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': config.organizationId } },
      }),
    );
    sessionLogs.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowEncryptionCheckFromTheOrganization',
        principals: [new AnyPrincipal()],
        actions: ['s3:GetEncryptionConfiguration'],
        resources: [sessionLogs.bucketArn],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': config.organizationId } },
      }),
    );
    // AWS Config delivery channels of every account.
    const configBucket = bucket('config');
    configBucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AWSConfigBucketPermissionsCheck',
        principals: [new ServicePrincipal('config.amazonaws.com')],
        actions: ['s3:GetBucketAcl', 's3:ListBucket'],
        resources: [configBucket.bucketArn],
        conditions: orgCondition,
      }),
    );
    configBucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AWSConfigBucketDelivery',
        principals: [new ServicePrincipal('config.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [configBucket.arnForObjects('AWSLogs/*')],
        conditions: {
          StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...orgCondition.StringEquals },
        },
      }),
    );

    // One topic announces every new log object (and CloudTrail's log file deliveries) to the SIEM.
    this.topic = new Topic(this, 'LogNotifications', {
      topicName: `${config.prefix}-log-notifications`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.key.grantEncryptDecrypt(new ServicePrincipal('s3.amazonaws.com'));
    this.topic.addSubscription(new EmailSubscription(config.securityEmail));
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowSiemToSubscribe',
        principals: [new AccountPrincipal(config.siem.accountId)],
        actions: ['sns:Subscribe'],
        resources: [this.topic.topicArn],
      }),
    );
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowS3EventNotifications',
        principals: [new ServicePrincipal('s3.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    const topicPolicy = this.topic.node.findChild('Policy') as TopicPolicy;
    // Event notifications are set on the L1 bucket so no custom resource is needed; they wait for the topic policy.
    for (const kind of ['flow-logs', 'session-logs', 'config'] as const) {
      const cfn = bucket(kind).node.defaultChild as CfnBucket;
      cfn.notificationConfiguration = {
        topicConfigurations: [{ event: 's3:ObjectCreated:*', topic: this.topic.topicArn }],
      };
      cfn.node.addDependency(topicPolicy);
    }

    // The organization trail: this account is CloudTrail's delegated administrator (see the organization stack).
    this.trail = new Trail(this, 'OrganizationTrail', {
      trailName: ORGANIZATION_TRAIL_NAME,
      bucket: bucket('cloudtrail'),
      encryptionKey: this.key,
      isOrganizationTrail: true,
      orgId: config.organizationId,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      snsTopic: this.topic,
    });

    // The SIEM reads every log bucket and decrypts with the key, and nothing else.
    this.siemRole = new Role(this, 'SiemReader', {
      roleName: `${config.prefix}-siem-log-reader`,
      description: 'Assumed by the SIEM to read the log archive',
      assumedBy: new AccountPrincipal(config.siem.accountId),
      externalIds: [config.siem.externalId],
      maxSessionDuration: Duration.hours(1),
    });
    const readable: LogKind[] = ['cloudtrail', 'flow-logs', 'session-logs', 'config'];
    this.siemRole.addToPolicy(
      new PolicyStatement({
        sid: 'ReadLogObjects',
        effect: Effect.ALLOW,
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: readable.map((kind) => `${logBucketArn(zone, kind)}/*`),
      }),
    );
    this.siemRole.addToPolicy(
      new PolicyStatement({
        sid: 'ListLogBuckets',
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: readable.map((kind) => logBucketArn(zone, kind)),
      }),
    );
    this.key.grantDecrypt(this.siemRole);
    for (const kind of readable) {
      acknowledge(this.siemRole, {
        id: `AwsSolutions-IAM5[Resource::${logBucketArn(zone, kind)}/*]`,
        reason:
          'The SIEM reads every object of the log buckets; the wildcard is the object key within a named bucket.',
      });
    }
  }
}
