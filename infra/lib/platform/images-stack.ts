/**
 * Images and packages, in the shared services account's home region: the EC2 Image Builder pipeline producing the
 * hardened ECS AMI (built and tested on a virtualized and on a metal instance), its distribution to every exchange
 * account in both regions (the AMI id lands in an SSM parameter there), ECR repositories with scan on push and
 * immutable tags replicated to the standby region, and a CodeArtifact domain with the public npm upstream.
 */
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnDomain, CfnRepository as CfnPackageRepository } from 'aws-cdk-lib/aws-codeartifact';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  IpAddresses,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import {
  CfnReplicationConfiguration,
  Repository,
  RepositoryEncryption,
  TagMutability,
  TagStatus,
} from 'aws-cdk-lib/aws-ecr';
import {
  AccountPrincipal,
  AnyPrincipal,
  CfnInstanceProfile,
  ManagedPolicy,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import {
  CfnComponent,
  CfnDistributionConfiguration,
  CfnImagePipeline,
  CfnImageRecipe,
  CfnInfrastructureConfiguration,
} from 'aws-cdk-lib/aws-imagebuilder';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { LandingZone } from '../config/landing-zone.ts';
import { logBucketName } from '../config/names.ts';
import type { AccountConfig } from '../config/types.ts';
import { acknowledge } from '../constructs/nag.ts';
import { HARDENED_AMI_PARAMETER } from './hardened-capacity.ts';
import { IMAGE_NAMES, repositoryName } from './images.ts';
import { managedPolicyFinding } from './nag-ids.ts';

export interface ImagesStackProps extends StackProps {
  readonly zone: LandingZone;
  /** Accounts that run the exchange; they receive the AMI and may pull the images. */
  readonly exchangeAccounts: readonly AccountConfig[];
}

/** The ECS-optimized Amazon Linux 2023 AMI, resolved by Image Builder from AWS's public SSM parameter. */
export const PARENT_IMAGE = 'ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id';

/** Build and test on a virtualized and on a metal instance, so the AMI is known to boot on both. */
export const BUILD_INSTANCE_TYPES = { virtualized: 'm7i.xlarge', metal: 'c7i.metal-24xl' } as const;

const HARDENING = `name: bourse-ecs-hardening
description: Bourse host hardening on top of the ECS-optimized AMI
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Harden
        action: ExecuteBash
        inputs:
          commands:
            - dnf -y update --security
            - systemctl disable --now sshd.service || true
            - dnf -y remove openssh-server || true
            - echo 'install cramfs /bin/false' > /etc/modprobe.d/bourse-cis.conf
            - echo 'install udf /bin/false' >> /etc/modprobe.d/bourse-cis.conf
            - sysctl -w net.ipv4.conf.all.send_redirects=0
            - echo 'net.ipv4.conf.all.send_redirects = 0' > /etc/sysctl.d/90-bourse.conf
            - echo 'net.ipv4.conf.all.accept_redirects = 0' >> /etc/sysctl.d/90-bourse.conf
            - echo 'kernel.kptr_restrict = 2' >> /etc/sysctl.d/90-bourse.conf
            - echo 'ECS_ENABLE_TASK_IAM_ROLE=true' >> /etc/ecs/ecs.config
            - echo 'ECS_AWSVPC_BLOCK_IMDS=true' >> /etc/ecs/ecs.config
  - name: test
    steps:
      - name: NoSshd
        action: ExecuteBash
        inputs:
          commands:
            - test ! -x /usr/sbin/sshd
            - grep -q 'ECS_AWSVPC_BLOCK_IMDS=true' /etc/ecs/ecs.config
`;

/**
 * The build VPC's range. It is never routed, peered or shared, so it may overlap the landing zone's plan; builds
 * reach AWS through the VPC's endpoints only.
 */
export const IMAGE_BUILD_CIDR = '192.168.0.0/24';

/** Image Builder drives builds through SSM; dnf reads the Amazon Linux repositories from S3. */
export const IMAGE_BUILD_ENDPOINTS = ['ssm', 'ssmmessages', 'ec2messages', 'imagebuilder', 'logs'] as const;

export class ImagesStack extends Stack {
  readonly repositories: ReadonlyMap<string, Repository>;
  private readonly zones: readonly string[];

  /** The configured zones, so that nothing asks AWS for them at synthesis (a context lookup). */
  override get availabilityZones(): string[] {
    return [...this.zones];
  }

  constructor(scope: Construct, id: string, props: ImagesStackProps) {
    super(scope, id, props);
    const { zone } = props;
    this.zones = zone.config.regions.find((r) => r.name === this.region)?.availabilityZones ?? [];
    const prefix = zone.config.prefix;
    const orgCondition = { StringEquals: { 'aws:PrincipalOrgID': zone.config.organizationId } };

    const key = new Key(this, 'ImagesKey', {
      alias: `${prefix}/images`,
      description: 'Encrypts AMI snapshots, container images and packages',
      enableKeyRotation: true,
    });
    // Exchange accounts launch instances from the AMI's encrypted snapshots, through EC2 only.
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'ExchangeAccountsUseAmiSnapshots',
        principals: [new AnyPrincipal()],
        actions: [
          'kms:Decrypt',
          'kms:DescribeKey',
          'kms:CreateGrant',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
        ],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:PrincipalOrgID': zone.config.organizationId },
          StringLike: { 'kms:ViaService': zone.regionNames.map((r) => `ec2.${r}.amazonaws.com`) },
        },
      }),
    );

    // Image Builder.
    const builderRole = new Role(this, 'BuilderRole', {
      assumedBy: new ServicePrincipal('ec2.amazonaws.com'),
      description: 'Image Builder build and test instances',
      managedPolicies: [
        ManagedPolicy.fromAwsManagedPolicyName('EC2InstanceProfileForImageBuilder'),
        ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'),
      ],
    });
    for (const policy of ['EC2InstanceProfileForImageBuilder', 'AmazonSSMManagedInstanceCore']) {
      acknowledge(builderRole, {
        id: managedPolicyFinding(policy),
        reason: 'Image Builder and SSM agents on build instances need exactly these AWS-maintained policies.',
      });
    }
    // The shared services account has no default VPC: builds run in an isolated subnet of their own, without any
    // route out, reaching SSM, Image Builder, CloudWatch Logs and S3 through endpoints.
    const buildZone = this.zones[0];
    if (!buildZone) throw new Error(`no availability zone configured for ${this.region}`);
    const buildVpc = new Vpc(this, 'BuildVpc', {
      vpcName: `${prefix}-image-builds`,
      ipAddresses: IpAddresses.cidr(IMAGE_BUILD_CIDR),
      availabilityZones: [buildZone],
      natGateways: 0,
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [{ name: 'build', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 26 }],
    });
    buildVpc.addFlowLog('FlowLogs', {
      destination: FlowLogDestination.toS3(
        Bucket.fromBucketName(this, 'FlowLogsBucket', logBucketName(zone, 'flow-logs')),
        `vpc-flow-logs/${this.account}`,
      ),
      trafficType: FlowLogTrafficType.ALL,
    });
    acknowledge(buildVpc, {
      id: 'CloudFormation-Validate::W3010',
      reason:
        'The zone comes from the configuration, like the landing zone VPCs, so synthesis needs no lookup.',
    });
    const buildGroup = new SecurityGroup(this, 'BuildSecurityGroup', {
      vpc: buildVpc,
      description: 'Image Builder instances: HTTPS to the endpoints and S3 only',
      allowAllOutbound: false,
    });
    const endpointGroup = new SecurityGroup(this, 'BuildEndpointSecurityGroup', {
      vpc: buildVpc,
      description: 'HTTPS from build instances to the endpoints',
      allowAllOutbound: false,
    });
    endpointGroup.addIngressRule(buildGroup, Port.tcp(443), 'Build instances');
    for (const service of IMAGE_BUILD_ENDPOINTS) {
      buildVpc.addInterfaceEndpoint(`Endpoint-${service}`, {
        service: new InterfaceVpcEndpointAwsService(service),
        privateDnsEnabled: true,
        securityGroups: [endpointGroup],
        open: false,
      });
    }
    buildVpc.addGatewayEndpoint('Endpoint-s3', { service: GatewayVpcEndpointAwsService.S3 });
    // The subnet's only route out of the VPC is the S3 gateway endpoint, so HTTPS anywhere means S3.
    buildGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'S3, through the gateway endpoint');
    const buildSubnet = buildVpc.isolatedSubnets[0];
    if (!buildSubnet) throw new Error('the build VPC has no subnet');

    const profile = new CfnInstanceProfile(this, 'BuilderProfile', {
      instanceProfileName: `${prefix}-image-builder`,
      roles: [builderRole.roleName],
    });
    const hardening = new CfnComponent(this, 'Hardening', {
      name: `${prefix}-ecs-hardening`,
      platform: 'Linux',
      version: '1.0.0',
      data: HARDENING,
      kmsKeyId: key.keyArn,
    });
    const recipe = new CfnImageRecipe(this, 'Recipe', {
      name: `${prefix}-ecs-hardened`,
      version: '1.0.0',
      parentImage: PARENT_IMAGE,
      components: [
        {
          componentArn: `arn:${this.partition}:imagebuilder:${this.region}:aws:component/update-linux/x.x.x`,
        },
        { componentArn: hardening.attrArn },
        {
          componentArn: `arn:${this.partition}:imagebuilder:${this.region}:aws:component/stig-build-linux-medium/x.x.x`,
        },
      ],
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: {
            encrypted: true,
            kmsKeyId: key.keyArn,
            volumeSize: 40,
            volumeType: 'gp3',
            deleteOnTermination: true,
          },
        },
      ],
    });
    const infrastructure = (kind: keyof typeof BUILD_INSTANCE_TYPES) =>
      new CfnInfrastructureConfiguration(this, `Infrastructure-${kind}`, {
        name: `${prefix}-ecs-hardened-${kind}`,
        instanceProfileName: profile.ref,
        instanceTypes: [BUILD_INSTANCE_TYPES[kind]],
        terminateInstanceOnFailure: true,
        instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
        subnetId: buildSubnet.subnetId,
        securityGroupIds: [buildGroup.securityGroupId],
      });

    const distribution = new CfnDistributionConfiguration(this, 'Distribution', {
      name: `${prefix}-ecs-hardened`,
      distributions: zone.regionNames.map((region) => ({
        region,
        amiDistributionConfiguration: {
          Name: `${prefix}-ecs-hardened-{{ imagebuilder:buildDate }}`,
          ...(region === this.region ? { KmsKeyId: key.keyArn } : {}),
          LaunchPermissionConfiguration: {
            OrganizationArns: [
              `arn:${this.partition}:organizations::${zone.config.sharedAccounts.management.id}:organization/${zone.config.organizationId}`,
            ],
          },
        },
        ssmParameterConfigurations: props.exchangeAccounts.map((account) => ({
          amiAccountId: account.id,
          parameterName: HARDENED_AMI_PARAMETER,
          dataType: 'aws:ec2:image',
        })),
      })),
    });
    const schedule = {
      scheduleExpression: 'cron(0 3 ? * MON *)',
      pipelineExecutionStartCondition: 'EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE',
    };
    new CfnImagePipeline(this, 'Pipeline', {
      name: `${prefix}-ecs-hardened`,
      description: 'Hardened ECS AMI, weekly when the parent image or a component changed',
      imageRecipeArn: recipe.attrArn,
      infrastructureConfigurationArn: infrastructure('virtualized').attrArn,
      distributionConfigurationArn: distribution.attrArn,
      imageTestsConfiguration: { imageTestsEnabled: true, timeoutMinutes: 90 },
      enhancedImageMetadataEnabled: true,
      schedule,
      status: 'ENABLED',
    });
    new CfnImagePipeline(this, 'MetalPipeline', {
      name: `${prefix}-ecs-hardened-metal`,
      description: 'Builds and tests the same recipe on a metal instance; distributes nothing',
      imageRecipeArn: recipe.attrArn,
      infrastructureConfigurationArn: infrastructure('metal').attrArn,
      imageTestsConfiguration: { imageTestsEnabled: true, timeoutMinutes: 120 },
      enhancedImageMetadataEnabled: true,
      schedule,
      status: 'ENABLED',
    });

    // Container images.
    const repositories = new Map<string, Repository>();
    for (const image of IMAGE_NAMES) {
      const repository = new Repository(this, `Repository-${image}`, {
        repositoryName: repositoryName(image),
        imageScanOnPush: true,
        imageTagMutability: TagMutability.IMMUTABLE,
        encryption: RepositoryEncryption.KMS,
        encryptionKey: key,
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: [
          {
            description: 'Drop untagged layers',
            tagStatus: TagStatus.UNTAGGED,
            maxImageAge: Duration.days(7),
          },
          { description: 'Keep the last 200 releases', tagStatus: TagStatus.ANY, maxImageCount: 200 },
        ],
      });
      repository.addToResourcePolicy(
        new PolicyStatement({
          sid: 'ExchangeAccountsPull',
          principals: props.exchangeAccounts.map((a) => new AccountPrincipal(a.id)),
          actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        }),
      );
      repositories.set(image, repository);
    }
    this.repositories = repositories;
    const standby = zone.regionNames.filter((r) => r !== this.region);
    new CfnReplicationConfiguration(this, 'Replication', {
      replicationConfiguration: {
        rules: [
          {
            destinations: standby.map((region) => ({ region, registryId: this.account })),
            repositoryFilters: [{ filter: 'bourse/', filterType: 'PREFIX_MATCH' }],
          },
        ],
      },
    });

    // Packages.
    const domain = new CfnDomain(this, 'PackageDomain', {
      domainName: prefix,
      encryptionKey: key.keyArn,
      permissionsPolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'OrganizationReads',
            Effect: 'Allow',
            Principal: '*',
            Action: [
              'codeartifact:GetAuthorizationToken',
              'codeartifact:GetRepositoryEndpoint',
              'codeartifact:ReadFromRepository',
            ],
            Resource: '*',
            Condition: orgCondition,
          },
        ],
      },
    });
    const npmStore = new CfnPackageRepository(this, 'NpmStore', {
      domainName: domain.attrName,
      repositoryName: 'npm-store',
      description: 'Proxy of the public npm registry',
      externalConnections: ['public:npmjs'],
    });
    new CfnPackageRepository(this, 'Packages', {
      domainName: domain.attrName,
      repositoryName: prefix,
      description: "Bourse's packages, with npm-store as upstream",
      upstreams: [npmStore.attrName],
    });
  }
}
