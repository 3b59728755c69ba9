/**
 * The platform of one environment (dev) and the shared images, synthesized once: template assertions for each
 * item of issue 6, and no cdk-nag or policy finding left unacknowledged.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { bourseConfig } from '../../lib/config/bourse.config.ts';
import { boursePlatform } from '../../lib/config/bourse.platform.ts';
import { isBurstable } from '../../lib/config/platform.ts';
import { MANAGED_RULE_GROUPS, RATE_LIMITS } from '../../lib/platform/edge-global-stack.ts';
import { CLOUDFRONT_PREFIX_LIST, ORIGIN_HEADER } from '../../lib/platform/edge-stack.ts';
import { HARDENED_AMI_PARAMETER } from '../../lib/platform/hardened-capacity.ts';
import { IMAGE_NAMES } from '../../lib/platform/images.ts';
import { BUILD_INSTANCE_TYPES, PARENT_IMAGE } from '../../lib/platform/images-stack.ts';
import { CANARY_CHECKS } from '../../lib/platform/monitoring-stack.ts';
import { OBSERVABILITY_COMPONENTS } from '../../lib/platform/observability-stack.ts';
import { TOPICS } from '../../lib/platform/topics.ts';
import { environmentStackIds, synthesizePlatform, type TemplateJson } from './support.ts';

const [home, standbyRegion] = bourseConfig.regions.map((r) => r.name);
const devAccount = bourseConfig.workloadAccounts.find(
  (a) => a.domain === 'trading' && a.environment === 'dev',
);
const synth = synthesizePlatform([...environmentStackIds('dev'), 'Images', 'Cicd-build']);

function ofType(json: TemplateJson, type: string) {
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON.
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type) as [string, { Properties: any }][];
}

describe('platform placement', () => {
  it('places the environment stacks in its exchange account: home, standby region and us-east-1', () => {
    const placed = Object.fromEntries(
      synth.artifacts.map((a) => [a.hierarchicalId, `${a.environment.account}/${a.environment.region}`]),
    );
    for (const id of ['Compute-dev', 'Bus-dev', 'Data-dev', 'Edge-dev', 'Services-dev', 'Cicd-dev']) {
      assert.equal(placed[id], `${devAccount?.id}/${home}`, id);
    }
    assert.equal(placed[`Compute-dev-${standbyRegion}`], `${devAccount?.id}/${standbyRegion}`);
    assert.equal(placed['Standby-dev'], `${devAccount?.id}/${standbyRegion}`);
    assert.equal(placed['EdgeGlobal-dev'], `${devAccount?.id}/us-east-1`);
    assert.equal(placed.Images, `${bourseConfig.sharedAccounts.sharedServices.id}/${home}`);
  });

  it('needs no context lookups', () => {
    for (const artifact of synth.artifacts) assert.deepEqual(artifact.assembly.manifest.missing ?? [], []);
  });
});

describe('compute', () => {
  const compute = synth.template('Compute-dev');
  const json = synth.json('Compute-dev');

  it('runs an ECS cluster on EC2 with Container Insights and no Fargate', () => {
    compute.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }],
    });
    compute.resourceCountIs('AWS::ECS::CapacityProvider', 2);
    const associations = ofType(json, 'AWS::ECS::ClusterCapacityProviderAssociations')[0]?.[1];
    assert.equal(associations?.Properties.CapacityProviders.length, 2);
    assert.doesNotMatch(JSON.stringify(json), /FARGATE/);
  });

  it('builds both capacity providers from launch templates: hardened AMI, IMDSv2 only, encrypted EBS, no burstable type', () => {
    const templates = ofType(json, 'AWS::EC2::LaunchTemplate');
    assert.equal(templates.length, 2);
    const amiParameter = Object.entries(
      (
        synth.artifact('Compute-dev').template as {
          Parameters: Record<string, { Type: string; Default: string }>;
        }
      ).Parameters,
    ).find(([, p]) => p.Default === HARDENED_AMI_PARAMETER);
    assert.ok(amiParameter, 'the AMI comes from the Image Builder SSM parameter');
    assert.equal(amiParameter[1].Type, 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>');
    for (const [, t] of templates) {
      const data = t.Properties.LaunchTemplateData;
      assert.equal(data.MetadataOptions.HttpTokens, 'required');
      assert.equal(data.MetadataOptions.HttpPutResponseHopLimit, 1);
      assert.deepEqual(data.ImageId, { Ref: amiParameter[0] });
      assert.ok(!isBurstable(data.InstanceType), data.InstanceType);
      for (const disk of data.BlockDeviceMappings) assert.equal(disk.Ebs.Encrypted, true);
      assert.deepEqual(Object.keys(data.Placement), ['GroupName']);
      assert.equal(data.Monitoring.Enabled, true);
    }
    for (const [, provider] of ofType(json, 'AWS::ECS::CapacityProvider')) {
      const asg = provider.Properties.AutoScalingGroupProvider;
      assert.equal(asg.ManagedScaling.Status, 'ENABLED');
      assert.equal(asg.ManagedTerminationProtection, 'ENABLED');
    }
  });

  it('puts latency-sensitive capacity in a one-zone cluster placement group and the rest in a spread group', () => {
    const groups = ofType(json, 'AWS::EC2::PlacementGroup').map(([id, g]) => [id, g.Properties] as const);
    const cluster = groups.find(([, p]) => p.Strategy === 'cluster');
    const spread = groups.find(([, p]) => p.Strategy === 'spread');
    assert.ok(cluster && spread);
    assert.equal(spread[1].SpreadLevel, 'rack');
    const groupOf = (name: string) => {
      const lt = ofType(json, 'AWS::EC2::LaunchTemplate').find(
        ([, t]) => t.Properties.LaunchTemplateName === name,
      );
      return lt?.[1].Properties.LaunchTemplateData.Placement.GroupName;
    };
    assert.deepEqual(groupOf('bourse-dev-latency'), { 'Fn::GetAtt': [cluster[0], 'GroupName'] });
    assert.deepEqual(groupOf('bourse-dev-general'), { 'Fn::GetAtt': [spread[0], 'GroupName'] });
    const asgs = ofType(json, 'AWS::AutoScaling::AutoScalingGroup');
    const zones = (name: string) =>
      asgs.find(([, a]) => a.Properties.AutoScalingGroupName === name)?.[1].Properties.VPCZoneIdentifier
        .length;
    assert.equal(zones('bourse-dev-latency'), 1);
    assert.equal(zones('bourse-dev-general'), 3);
  });

  it('keeps warm standby capacity in the second region', () => {
    const standby = ofType(synth.json(`Compute-dev-${standbyRegion}`), 'AWS::AutoScaling::AutoScalingGroup');
    const sizes = standby.map(([, a]) => Number(a.Properties.MinSize)).sort();
    assert.deepEqual(sizes, [1, 3]);
  });
});

describe('images and packages', () => {
  const images = synth.template('Images');
  const json = synth.json('Images');

  it('builds the hardened AMI with Image Builder, on a virtualized and on a metal instance', () => {
    images.resourceCountIs('AWS::ImageBuilder::ImagePipeline', 2);
    images.hasResourceProperties('AWS::ImageBuilder::ImageRecipe', {
      ParentImage: PARENT_IMAGE,
      Components: Match.arrayWith([
        { ComponentArn: Match.stringLikeRegexp(':aws:component/update-linux/') },
        { ComponentArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Hardening'), 'Arn'] } },
        { ComponentArn: Match.stringLikeRegexp(':aws:component/stig-build-linux-medium/') },
      ]),
    });
    const types = ofType(json, 'AWS::ImageBuilder::InfrastructureConfiguration').map(
      ([, c]) => c.Properties.InstanceTypes[0],
    );
    assert.deepEqual(types.sort(), Object.values(BUILD_INSTANCE_TYPES).sort());
    for (const [, c] of ofType(json, 'AWS::ImageBuilder::InfrastructureConfiguration')) {
      assert.equal(c.Properties.InstanceMetadataOptions.HttpTokens, 'required');
    }
    images.hasResourceProperties('AWS::ImageBuilder::Component', {
      Data: Match.stringLikeRegexp('ECS_AWSVPC_BLOCK_IMDS=true'),
    });
  });

  it('distributes the AMI to both regions and writes its id into every exchange account', () => {
    const [[, distribution]] = ofType(json, 'AWS::ImageBuilder::DistributionConfiguration') as [
      [
        string,
        {
          Properties: {
            Distributions: {
              Region: string;
              SsmParameterConfigurations: { AmiAccountId: string; ParameterName: string }[];
            }[];
          };
        },
      ],
    ];
    const distributions = distribution.Properties.Distributions;
    assert.deepEqual(
      distributions.map((d) => d.Region),
      [home, standbyRegion],
    );
    const exchange = bourseConfig.workloadAccounts.filter((a) => a.domain === boursePlatform.exchangeDomain);
    for (const d of distributions) {
      assert.deepEqual(
        d.SsmParameterConfigurations.map((p) => p.AmiAccountId).sort(),
        exchange.map((a) => a.id).sort(),
      );
      for (const p of d.SsmParameterConfigurations) assert.equal(p.ParameterName, HARDENED_AMI_PARAMETER);
    }
  });

  it('keeps every image in an ECR repository with scan on push and immutable tags, replicated to the standby region', () => {
    const repositories = ofType(json, 'AWS::ECR::Repository');
    assert.deepEqual(
      repositories.map(([, r]) => r.Properties.RepositoryName).sort(),
      IMAGE_NAMES.map((i) => `bourse/${i}`).sort(),
    );
    for (const [, r] of repositories) {
      assert.deepEqual(r.Properties.ImageScanningConfiguration, { ScanOnPush: true });
      assert.equal(r.Properties.ImageTagMutability, 'IMMUTABLE');
      assert.equal(r.Properties.EncryptionConfiguration.EncryptionType, 'KMS');
    }
    images.hasResourceProperties('AWS::ECR::ReplicationConfiguration', {
      ReplicationConfiguration: {
        Rules: [
          Match.objectLike({
            Destinations: [
              { Region: standbyRegion, RegistryId: bourseConfig.sharedAccounts.sharedServices.id },
            ],
          }),
        ],
      },
    });
  });

  it('serves packages from CodeArtifact with the public npm registry upstream', () => {
    images.hasResourceProperties('AWS::CodeArtifact::Domain', { DomainName: 'bourse' });
    images.hasResourceProperties('AWS::CodeArtifact::Repository', {
      RepositoryName: 'npm-store',
      ExternalConnections: ['public:npmjs'],
    });
    images.hasResourceProperties('AWS::CodeArtifact::Repository', {
      RepositoryName: 'bourse',
      Upstreams: [Match.anyValue()],
    });
  });
});

describe('message bus', () => {
  const bus = synth.template('Bus-dev');

  it('runs MSK on three zones with TLS, IAM authentication only and encryption at rest', () => {
    bus.hasResourceProperties('AWS::MSK::Cluster', {
      NumberOfBrokerNodes: 3,
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: {
        EncryptionAtRest: { DataVolumeKMSKeyId: Match.anyValue() },
        EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true },
      },
    });
    const [[, cluster]] = ofType(synth.json('Bus-dev'), 'AWS::MSK::Cluster') as [
      [string, { Properties: { BrokerNodeGroupInfo: { ClientSubnets: string[] } } }],
    ];
    assert.equal(new Set(cluster.Properties.BrokerNodeGroupInfo.ClientSubnets).size, 3);
    bus.hasResourceProperties('AWS::MSK::Configuration', {
      ServerProperties: Match.stringLikeRegexp('auto.create.topics.enable=false'),
    });
  });

  it('declares every Bourse topic in code, replicated three times', () => {
    const topics = ofType(synth.json('Bus-dev'), 'AWS::MSK::Topic');
    assert.deepEqual(topics.map(([, t]) => t.Properties.TopicName).sort(), TOPICS.map((t) => t.name).sort());
    for (const [, t] of topics) assert.equal(t.Properties.ReplicationFactor, 3);
    const configs = Buffer.from(topics[0]?.[1].Properties.Configs, 'base64').toString('utf8');
    assert.match(configs, /min\.insync\.replicas=2/);
  });
});

describe('databases and cache', () => {
  const data = synth.template('Data-dev');
  const json = synth.json('Data-dev');

  it('separates trading and back-office into two encrypted Aurora MySQL clusters with IAM authentication', () => {
    const clusters = ofType(json, 'AWS::RDS::DBCluster');
    assert.deepEqual(clusters.map(([, c]) => c.Properties.DBClusterIdentifier).sort(), [
      'bourse-dev-back-office',
      'bourse-dev-trading',
    ]);
    for (const [, c] of clusters) {
      assert.equal(c.Properties.Engine, 'aurora-mysql');
      assert.equal(c.Properties.StorageEncrypted, true);
      assert.equal(c.Properties.EnableIAMDatabaseAuthentication, true);
      assert.equal(c.Properties.DeletionProtection, true);
    }
  });

  it('writes the binlog in ROW format and requires TLS', () => {
    data.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Parameters: Match.objectLike({ binlog_format: 'ROW', require_secure_transport: 'ON' }),
    });
  });

  it('keeps credentials in Secrets Manager, rotated', () => {
    data.resourceCountIs('AWS::SecretsManager::Secret', 2);
    data.resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
    data.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
  });

  it('runs Valkey as a multi-zone replication group with TLS and IAM-authenticated users, and no Memcached', () => {
    data.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'valkey',
      MultiAZEnabled: true,
      AutomaticFailoverEnabled: true,
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AtRestEncryptionEnabled: true,
      UserGroupIds: ['bourse-dev-cache-users'],
    });
    data.hasResourceProperties('AWS::ElastiCache::User', { UserName: 'default', AccessString: 'off -@all' });
    data.hasResourceProperties('AWS::ElastiCache::User', {
      UserId: 'bourse-dev-gateway',
      AuthenticationMode: { Type: 'iam' },
    });
    assert.doesNotMatch(JSON.stringify(json), /memcached/i);
    data.resourceCountIs('AWS::ElastiCache::CacheCluster', 0);
  });
});

describe('network access', () => {
  it('admits Bourse tasks to data stores and services by security group, never by the shared VPC ranges', () => {
    for (const id of ['Bus-dev', 'Data-dev', 'Observability-dev', 'Services-dev', 'Standby-dev']) {
      const json = synth.json(id);
      for (const [name, group] of ofType(json, 'AWS::EC2::SecurityGroup')) {
        for (const rule of group.Properties.SecurityGroupIngress ?? []) {
          assert.equal(rule.CidrIp, undefined, `${id}/${name}`);
        }
      }
      for (const [name, rule] of ofType(json, 'AWS::EC2::SecurityGroupIngress')) {
        assert.ok(rule.Properties.SourceSecurityGroupId, `${id}/${name}: ${JSON.stringify(rule.Properties)}`);
      }
    }
    synth.template('Data-dev').hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 3306,
      SourceSecurityGroupId: {
        'Fn::GetStackOutput': Match.objectLike({ StackName: 'bourse-trading-dev-compute' }),
      },
    });
  });
});

describe('warm standby', () => {
  const standby = synth.template('Standby-dev');
  const json = synth.json('Standby-dev');

  it('replicates the trading and back-office clusters across regions, and feeds the analytics cluster from the trading binlog', () => {
    const replicas = Object.fromEntries(
      ofType(json, 'AWS::RDS::DBCluster').map(([, c]) => [
        c.Properties.DBClusterIdentifier,
        c.Properties.ReplicationSourceIdentifier,
      ]),
    );
    const source = (db: string) => `arn:aws:rds:${home}:${devAccount?.id}:cluster:bourse-dev-${db}`;
    assert.deepEqual(replicas, {
      'bourse-dev-trading-standby': source('trading'),
      'bourse-dev-back-office-standby': source('back-office'),
      'bourse-dev-analytics': source('trading'),
    });
    standby.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Parameters: Match.objectLike({ binlog_format: 'ROW' }),
    });
  });

  it('copies every topic to a standby MSK cluster with MSK Replicator', () => {
    standby.resourceCountIs('AWS::MSK::Cluster', 1);
    standby.resourceCountIs('AWS::MSK::Topic', 0);
    standby.hasResourceProperties('AWS::MSK::Replicator', {
      ReplicationInfoList: [
        Match.objectLike({
          TopicReplication: Match.objectLike({
            TopicsToReplicate: TOPICS.map((t) => t.name.replace('.', '\\.')),
            StartingPosition: { Type: 'EARLIEST' },
          }),
          ConsumerGroupReplication: Match.objectLike({ SynchroniseConsumerGroupOffsets: true }),
        }),
      ],
    });
    const [[, replicator]] = ofType(json, 'AWS::MSK::Replicator') as [
      [string, { Properties: { KafkaClusters: { AmazonMskCluster: { MskClusterArn: unknown } }[] } }],
    ];
    assert.match(
      JSON.stringify(replicator.Properties.KafkaClusters[0]?.AmazonMskCluster),
      /Fn::GetStackOutput.*bourse-trading-dev-bus/,
    );
  });
});

describe('edge', () => {
  const global = synth.template('EdgeGlobal-dev');
  const edge = synth.template('Edge-dev');
  const edgeJson = synth.json('Edge-dev');

  it('protects CloudFront with a WAF web ACL: AWS managed rule groups and rate-based rules for the API', () => {
    global.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'api-rate-limit',
          Statement: {
            RateBasedStatement: Match.objectLike({
              Limit: RATE_LIMITS.api,
              ScopeDownStatement: { ByteMatchStatement: Match.objectLike({ SearchString: '/api/' }) },
            }),
          },
        }),
        ...MANAGED_RULE_GROUPS.map((name) =>
          Match.objectLike({ Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name } } }),
        ),
      ]),
    });
    global.resourceCountIs('AWS::WAFv2::LoggingConfiguration', 1);
  });

  it('serves the API and the web page through CloudFront over TLS 1.2+, with the web ACL', () => {
    edge.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        WebACLId: { 'Fn::GetStackOutput': Match.objectLike({ Region: 'us-east-1' }) },
        ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021' }),
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
      }),
    });
  });

  it('makes the origin reachable only from CloudFront: VPC origin, prefix-list ingress, secret header', () => {
    edge.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    edge.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
      VpcOriginEndpointConfig: Match.objectLike({ OriginProtocolPolicy: 'https-only' }),
    });
    const groups = ofType(edgeJson, 'AWS::EC2::SecurityGroup').filter(([, g]) =>
      /CloudFront only/.test(g.Properties.GroupDescription),
    );
    assert.equal(groups.length, 1);
    const [groupId, group] = groups[0] ?? ['', { Properties: {} }];
    assert.equal(group.Properties.SecurityGroupIngress, undefined);
    const ingress = ofType(edgeJson, 'AWS::EC2::SecurityGroupIngress').filter(
      ([, r]) => r.Properties.GroupId?.['Fn::GetAtt']?.[0] === groupId,
    );
    assert.equal(ingress.length, 1, 'one rule admits the load balancer');
    const [source, path] = ingress[0]?.[1].Properties.SourcePrefixListId['Fn::GetAtt'] ?? [];
    assert.equal(path, 'PrefixLists.0.PrefixListId');
    assert.equal(
      edgeJson.Resources[source]?.Type,
      'Custom::AWS',
      'resolved from AWS at deploy time, no lookup',
    );
    assert.equal(ingress[0]?.[1].Properties.FromPort, 443);
    edge.hasResourceProperties('Custom::AWS', {
      Update: Match.stringLikeRegexp(CLOUDFRONT_PREFIX_LIST.replaceAll('.', '\\.')),
    });
    edge.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTPS',
      DefaultActions: [
        Match.objectLike({
          Type: 'fixed-response',
          FixedResponseConfig: Match.objectLike({ StatusCode: '403' }),
        }),
      ],
    });
    const distribution = JSON.stringify(ofType(edgeJson, 'AWS::CloudFront::Distribution'));
    assert.match(distribution, new RegExp(`"HeaderName":"${ORIGIN_HEADER}"`));
    assert.match(distribution, /resolve:secretsmanager/);
  });
});

describe('observability', () => {
  const obs = synth.template('Observability-dev');
  const json = synth.json('Observability-dev');

  it('runs VictoriaMetrics, vmagent, vmalert, Alertmanager, Grafana, the OpenTelemetry gateway and Jaeger as ECS services', () => {
    const names = ofType(json, 'AWS::ECS::Service')
      .map(([, s]) => s.Properties.ServiceName)
      .sort();
    assert.deepEqual(names, OBSERVABILITY_COMPONENTS.map((c) => c.serviceName).sort());
    obs.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({
          Image: Match.objectLike({
            'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('bourse/grafana')])]),
          }),
        }),
      ]),
    });
    const jaeger = JSON.stringify(OBSERVABILITY_COMPONENTS.find((c) => c.serviceName === 'otel-gateway'));
    assert.match(jaeger, /otel-collector/);
  });

  it('keeps short-term logs in OpenSearch with Dashboards, encrypted, in the VPC', () => {
    obs.hasResourceProperties('AWS::OpenSearchService::Domain', {
      EncryptionAtRestOptions: Match.objectLike({ Enabled: true }),
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: Match.objectLike({ EnforceHTTPS: true }),
      VPCOptions: Match.objectLike({ SubnetIds: Match.anyValue() }),
      AdvancedSecurityOptions: Match.objectLike({ Enabled: true }),
    });
  });

  it('feeds the data lake bucket and OpenSearch from the logs topic in Kafka', () => {
    const streams = ofType(json, 'AWS::KinesisFirehose::DeliveryStream');
    assert.equal(streams.length, 2);
    for (const [, s] of streams) {
      assert.equal(s.Properties.DeliveryStreamType, 'MSKAsSource');
      assert.equal(s.Properties.MSKSourceConfiguration.TopicName, 'bourse.logs');
    }
    assert.ok(streams.some(([, s]) => s.Properties.ExtendedS3DestinationConfiguration));
    assert.ok(streams.some(([, s]) => s.Properties.AmazonopensearchserviceDestinationConfiguration));
    obs.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.stringLikeRegexp('^bourse-dev-data-lake-\\d+'),
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
    });
  });
});

describe('second monitoring path and remediation', () => {
  const monitoring = synth.template('Monitoring-dev');
  const json = synth.json('Monitoring-dev');

  it('checks the public API with a Synthetics canary every minute and alarms on it', () => {
    monitoring.hasResourceProperties('AWS::Synthetics::Canary', {
      Schedule: Match.objectLike({ Expression: 'rate(1 minute)' }),
      Code: Match.objectLike({ Script: Match.stringLikeRegexp('https://api\\.dev\\.bourse\\.example') }),
    });
    const [[, canary]] = ofType(json, 'AWS::Synthetics::Canary') as [
      [string, { Properties: { Code: { Script: string } } }],
    ];
    for (const check of CANARY_CHECKS)
      assert.ok(canary.Properties.Code.Script.includes(check.path), check.path);
    monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SuccessPercent',
      Namespace: 'CloudWatchSynthetics',
    });
    monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'OfflinePartitionsCount' });
  });

  it('starts remediation from alarms and from Alertmanager through EventBridge', () => {
    monitoring.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
      }),
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('Remediation') } })],
    });
    monitoring.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.anyValue(),
      EventPattern: { source: ['bourse.remediation'], 'detail-type': ['RemediationRequested'] },
    });
  });

  it('restarts or scales a service and logs every action', () => {
    const machine = ofType(json, 'AWS::StepFunctions::StateMachine')[0]?.[1] ?? { Properties: {} };
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    assert.match(definition, /:states:::aws-sdk:ecs:updateService/);
    assert.match(definition, /ForceNewDeployment/);
    assert.match(definition, /DesiredCount/);
    assert.match(definition, /dynamodb:putItem/);
    assert.equal(machine.Properties.LoggingConfiguration.Level, 'ALL');
    assert.equal(machine.Properties.LoggingConfiguration.IncludeExecutionData, true);
    monitoring.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'bourse-dev-remediation-audit' });
    monitoring.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['ecs:DescribeServices', 'ecs:UpdateService'],
            Resource: `arn:aws:ecs:${home}:${devAccount?.id}:service/bourse-dev/*`,
          }),
        ]),
      },
    });
  });
});

describe('CI/CD', () => {
  it('trusts GitHub OIDC only for this repository and the environment of the account', () => {
    const cicd = synth.template('Cicd-dev');
    cicd.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    cicd.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'bourse-github-deploy-dev',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: {
                'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                'token.actions.githubusercontent.com:sub': `repo:${boursePlatform.githubRepository}:environment:dev`,
              },
            },
          }),
        ],
      },
    });
    cicd.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Resource: `arn:aws:iam::${devAccount?.id}:role/cdk-hnb659fds-*`,
            Sid: 'AssumeCdkBootstrapRoles',
          },
        ],
      },
    });
  });

  it('lets only the build environment push images', () => {
    synth.template('Cicd-build').hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'bourse-github-images-build',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Condition: Match.objectLike({
              StringEquals: Match.objectLike({
                'token.actions.githubusercontent.com:sub': `repo:${boursePlatform.githubRepository}:environment:build`,
              }),
            }),
          }),
        ],
      },
    });
  });
});

describe('checks', () => {
  it('leaves no cdk-nag or policy-as-code finding unacknowledged on any platform stack', () => {
    assert.deepEqual(synth.violations, []);
  });
});
