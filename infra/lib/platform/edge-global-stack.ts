/**
 * The parts of the edge that AWS requires in us-east-1: the CloudFront WAF web ACL (AWS managed rule groups, a
 * rate-based rule for the API and one for everything) with its logs, and the viewer certificate. The home-region
 * EdgeStack reads both through CDK's cross-region references.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import { CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { PlatformEnvironment } from './environment.ts';

export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesSQLiRuleSet',
] as const;

/** Requests per five minutes from one address, to the API and overall. */
export const RATE_LIMITS = { api: 3000, all: 20000 } as const;

export interface EdgeGlobalStackProps extends StackProps {
  readonly platformEnv: PlatformEnvironment;
}

export class EdgeGlobalStack extends Stack {
  readonly webAcl: CfnWebACL;
  readonly certificate: Certificate;

  constructor(scope: Construct, id: string, props: EdgeGlobalStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const env = props.platformEnv;
    const zoneName = env.settings.zoneName;
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: `${env.name}-edge`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`${env.name}-edge`),
      rules: [
        {
          name: 'api-rate-limit',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: RATE_LIMITS.api,
              aggregateKeyType: 'IP',
              scopeDownStatement: {
                byteMatchStatement: {
                  fieldToMatch: { uriPath: {} },
                  positionalConstraint: 'STARTS_WITH',
                  searchString: '/api/',
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            },
          },
          visibilityConfig: visibility('api-rate-limit'),
        },
        {
          name: 'rate-limit',
          priority: 1,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: RATE_LIMITS.all, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('rate-limit'),
        },
        ...MANAGED_RULE_GROUPS.map((name, i) => ({
          name,
          priority: 10 + i,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
          visibilityConfig: visibility(name),
        })),
      ],
    });
    const wafLogs = new LogGroup(this, 'WafLogs', {
      logGroupName: `aws-waf-logs-${env.name}-edge`,
      retention: RetentionDays.ONE_YEAR,
    });
    new CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [wafLogs.logGroupArn],
    });

    const zone = HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: env.settings.hostedZoneId,
      zoneName,
    });
    this.certificate = new Certificate(this, 'ViewerCertificate', {
      domainName: zoneName,
      subjectAlternativeNames: [`api.${zoneName}`],
      validation: CertificateValidation.fromDns(zone),
    });
  }
}
