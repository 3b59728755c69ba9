/**
 * The composition root of the landing zone: which stack goes to which account and region. Issue 6's platform
 * stacks are added beside these by a sibling function that receives the returned `LandingZoneStacks`.
 */
import type { App } from 'aws-cdk-lib';
import { type LandingZone, stackName } from './config/landing-zone.ts';
import { AccountVendingStack } from './stacks/account-vending-stack.ts';
import { BASELINE_STACK_SET_NAME, BaselineStackSetStack } from './stacks/baseline-stack-set-stack.ts';
import { CostStack } from './stacks/cost-stack.ts';
import { IdentityStack } from './stacks/identity-stack.ts';
import { LogArchiveStack } from './stacks/log-archive-stack.ts';
import { NetworkStack } from './stacks/network-stack.ts';
import { OrganizationStack } from './stacks/organization-stack.ts';
import { SecurityDelegationStack } from './stacks/security-delegation-stack.ts';
import { SecurityServicesStack } from './stacks/security-services-stack.ts';

export interface LandingZoneStacks {
  readonly organization: OrganizationStack;
  readonly logArchive: LogArchiveStack;
  readonly baseline: BaselineStackSetStack;
  readonly identity: IdentityStack;
  readonly vending: AccountVendingStack;
  readonly cost: CostStack;
  /** Keyed by region. */
  readonly securityDelegations: ReadonlyMap<string, SecurityDelegationStack>;
  /** Keyed by region. */
  readonly securityServices: ReadonlyMap<string, SecurityServicesStack>;
  /** Keyed `<environment>/<region>`. */
  readonly networks: ReadonlyMap<string, NetworkStack>;
}

export function addLandingZone(app: App, zone: LandingZone): LandingZoneStacks {
  const { config, homeRegion } = zone;
  const management = config.sharedAccounts.management;
  const managementHome = { account: management.id, region: homeRegion };

  const organization = new OrganizationStack(app, 'Organization', {
    stackName: stackName(zone, management, 'organization'),
    env: managementHome,
    terminationProtection: true,
    zone,
  });

  const baseline = new BaselineStackSetStack(app, 'Baseline', {
    stackName: stackName(zone, management, 'account-baseline'),
    env: managementHome,
    zone,
    organizationalUnitIds: [...organization.ouIds]
      .filter(([name]) => name !== 'suspended')
      .map(([, id]) => id),
  });

  const identity = new IdentityStack(app, 'Identity', {
    stackName: stackName(zone, management, 'identity'),
    env: managementHome,
    zone,
  });
  const vending = new AccountVendingStack(app, 'AccountVending', {
    stackName: stackName(zone, management, 'account-vending'),
    env: managementHome,
    zone,
    rootId: organization.organization.attrRootId,
    ouIds: organization.ouIds,
    baselineStackSetName: BASELINE_STACK_SET_NAME,
  });
  vending.node.addDependency(baseline);
  const cost = new CostStack(app, 'Cost', {
    stackName: stackName(zone, management, 'cost'),
    env: managementHome,
    zone,
  });

  const logArchiveAccount = config.sharedAccounts.logArchive;
  const logArchive = new LogArchiveStack(app, 'LogArchive', {
    stackName: stackName(zone, logArchiveAccount, 'log-archive'),
    env: { account: logArchiveAccount.id, region: homeRegion },
    terminationProtection: true,
    zone,
  });
  // The trail needs the log archive registered as CloudTrail delegated administrator first.
  logArchive.node.addDependency(organization);

  const security = config.sharedAccounts.security;
  const securityDelegations = new Map<string, SecurityDelegationStack>();
  const securityServices = new Map<string, SecurityServicesStack>();
  for (const region of zone.regionNames) {
    const delegation = new SecurityDelegationStack(app, `SecurityDelegation-${region}`, {
      stackName: stackName(zone, management, 'security-delegation', region),
      env: { account: management.id, region },
      zone,
    });
    delegation.node.addDependency(organization);
    securityDelegations.set(region, delegation);
    const services = new SecurityServicesStack(app, `SecurityServices-${region}`, {
      stackName: stackName(zone, security, 'security-services', region),
      env: { account: security.id, region },
      terminationProtection: true,
      zone,
    });
    services.node.addDependency(delegation);
    securityServices.set(region, services);
  }

  const networking = config.sharedAccounts.networking;
  const networks = new Map<string, NetworkStack>();
  for (const environment of config.environments) {
    for (const region of config.regions) {
      const key = `${environment.name}/${region.name}`;
      networks.set(
        key,
        new NetworkStack(app, `Network-${environment.name}-${region.name}`, {
          stackName: stackName(zone, networking, `network-${environment.name}`, region.name),
          env: { account: networking.id, region: region.name },
          terminationProtection: environment.name === 'prod',
          zone,
          environment,
          region,
        }),
      );
    }
  }

  return {
    organization,
    logArchive,
    baseline,
    identity,
    vending,
    cost,
    securityDelegations,
    securityServices,
    networks,
  };
}
