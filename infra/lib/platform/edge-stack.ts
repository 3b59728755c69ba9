/**
 * The public entry of one environment, in the home region: CloudFront (TLS 1.2+, the WAF web ACL from
 * EdgeGlobalStack) in front of an internal Application Load Balancer reached through a CloudFront VPC origin.
 * The origin is reachable only from CloudFront twice over: its security group admits only CloudFront's
 * origin-facing prefix list (resolved at deploy time, no lookup), and every listener rule requires the secret
 * header CloudFront adds; anything else gets 403.
 */
import { Duration, RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import { Certificate, CertificateValidation, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { VpcOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Peer, Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import {
  type ApplicationListener,
  ApplicationLoadBalancer,
  ApplicationProtocol,
  ListenerAction,
  SslPolicy,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { CloudFrontTarget } from 'aws-cdk-lib/aws-route53-targets';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { acknowledge, acknowledgeAwsCustomResourceProvider } from '../constructs/nag.ts';
import { PlatformStack, type PlatformStackProps, sharedVpc } from './environment.ts';

export const ORIGIN_HEADER = 'X-Bourse-Origin-Verify';
export const CLOUDFRONT_PREFIX_LIST = 'com.amazonaws.global.cloudfront.origin-facing';

export interface EdgeStackProps extends PlatformStackProps {
  readonly webAclArn: string;
  readonly viewerCertificate: ICertificate;
}

export class EdgeStack extends PlatformStack {
  readonly loadBalancer: ApplicationLoadBalancer;
  readonly listener: ApplicationListener;
  readonly loadBalancerSecurityGroup: SecurityGroup;
  readonly distribution: Distribution;
  /** The secret header value, as a dynamic reference resolved by CloudFormation. */
  readonly originHeaderValue: string;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const env = props.platformEnv;
    const vpc = sharedVpc(this, env, this.region);
    const zoneName = env.settings.zoneName;
    const zone = HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: env.settings.hostedZoneId,
      zoneName,
    });

    const originSecret = new Secret(this, 'OriginVerify', {
      secretName: `bourse/${env.name}/origin-verify`,
      description: 'Header value CloudFront adds to origin requests; the load balancer requires it',
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
    });
    acknowledge(originSecret, {
      id: 'AwsSolutions-SMG4',
      reason: 'CloudFront and the listener read the value at deploy time; it is changed by redeploying both.',
    });
    this.originHeaderValue = SecretValue.secretsManager(originSecret.secretArn).unsafeUnwrap();

    const prefixList = new AwsCustomResource(this, 'CloudFrontPrefixList', {
      onUpdate: {
        service: 'EC2',
        action: 'describeManagedPrefixLists',
        parameters: { Filters: [{ Name: 'prefix-list-name', Values: [CLOUDFRONT_PREFIX_LIST] }] },
        physicalResourceId: PhysicalResourceId.of(CLOUDFRONT_PREFIX_LIST),
        outputPaths: ['PrefixLists.0.PrefixListId'],
      },
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
    acknowledge(prefixList, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeManagedPrefixLists supports no resource-level permissions.',
    });
    acknowledgeAwsCustomResourceProvider(this);

    this.loadBalancerSecurityGroup = new SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc,
      description: 'Public load balancer: HTTPS from CloudFront only',
      // Each service that joins the listener opens the way to its own port (BourseService).
      allowAllOutbound: false,
    });
    this.loadBalancerSecurityGroup.addIngressRule(
      Peer.prefixList(prefixList.getResponseField('PrefixLists.0.PrefixListId')),
      Port.tcp(443),
      'HTTPS from CloudFront origin-facing servers',
    );
    const logs = new Bucket(this, 'AccessLogs', {
      bucketName: `${env.name}-edge-logs-${this.account}-${this.region}`,
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(30) }],
    });
    acknowledge(logs, {
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the access logs; logging its own access would recurse.',
    });

    this.loadBalancer = new ApplicationLoadBalancer(this, 'LoadBalancer', {
      loadBalancerName: `${env.name}-public`,
      vpc,
      internetFacing: false,
      vpcSubnets: { subnetGroupName: 'app' },
      securityGroup: this.loadBalancerSecurityGroup,
      dropInvalidHeaderFields: true,
      deletionProtection: true,
    });
    this.loadBalancer.logAccessLogs(logs, 'alb');
    const originCertificate = new Certificate(this, 'OriginCertificate', {
      domainName: `origin.${zoneName}`,
      validation: CertificateValidation.fromDns(zone),
    });
    this.listener = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: ApplicationProtocol.HTTPS,
      sslPolicy: SslPolicy.RECOMMENDED_TLS,
      certificates: [originCertificate],
      open: false,
      defaultAction: ListenerAction.fixedResponse(403, {
        contentType: 'text/plain',
        messageBody: 'forbidden',
      }),
    });

    const origin = VpcOrigin.withApplicationLoadBalancer(this.loadBalancer, {
      domainName: `origin.${zoneName}`,
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      customHeaders: { [ORIGIN_HEADER]: this.originHeaderValue },
      readTimeout: Duration.seconds(30),
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `${env.name} public API and web page`,
      domainNames: [zoneName, `api.${zoneName}`],
      certificate: props.viewerCertificate,
      webAclId: props.webAclArn,
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      },
      additionalBehaviors: {
        '/api/*': {
          origin,
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          allowedMethods: AllowedMethods.ALLOW_ALL,
        },
        '/ws/*': {
          origin,
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          allowedMethods: AllowedMethods.ALLOW_ALL,
        },
      },
    });
    acknowledge(this.distribution, {
      id: 'AwsSolutions-CFR1',
      reason: 'An open exchange serves every country it may legally serve; WAF rules handle abuse instead.',
    });
    for (const name of [zoneName, `api.${zoneName}`]) {
      new ARecord(this, `Alias-${name}`, {
        zone,
        recordName: name,
        target: RecordTarget.fromAlias(new CloudFrontTarget(this.distribution)),
      });
    }
  }
}
