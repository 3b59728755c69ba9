/**
 * A log archive bucket with Bourse's defaults: versioned, KMS-encrypted (S3-managed only where AWS requires it),
 * TLS-only, all public access blocked, server access logs to the access-log bucket, and kept on stack deletion.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectLockRetention,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface LogBucketProps {
  readonly bucketName: string;
  /**
   * Key for default encryption.
   * @default - S3-managed keys, which server access logging requires of its target bucket
   */
  readonly encryptionKey?: IKey;
  /**
   * Bucket receiving this bucket's server access logs.
   * @default - none; only the access-log bucket itself has none
   */
  readonly accessLogsBucket?: IBucket;
  /** Objects expire after this many days. */
  readonly retentionDays: number;
  /**
   * Object Lock default retention in governance mode, in days.
   * @default - Object Lock is not enabled
   */
  readonly objectLockDays?: number;
}

export class LogBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: LogBucketProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      versioned: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(props.encryptionKey
        ? { encryption: BucketEncryption.KMS, encryptionKey: props.encryptionKey, bucketKeyEnabled: true }
        : { encryption: BucketEncryption.S3_MANAGED }),
      ...(props.accessLogsBucket
        ? { serverAccessLogsBucket: props.accessLogsBucket, serverAccessLogsPrefix: `${props.bucketName}/` }
        : {}),
      ...(props.objectLockDays
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention: ObjectLockRetention.governance(Duration.days(props.objectLockDays)),
          }
        : {}),
      lifecycleRules: [
        {
          expiration: Duration.days(props.retentionDays),
          noncurrentVersionExpiration: Duration.days(props.retentionDays),
        },
      ],
    });
  }
}
