/**
 * Builds the whole CDK app from a configuration: the deployment mode and values first (lib/config/deployment.ts),
 * validation, then the stacks, then the checks.
 */
import { App, type AppProps, CfnRule, Fn, Stack } from 'aws-cdk-lib';
import { APP_CONTEXT, addChecks } from './checks.ts';
import { boursePlatform } from './config/bourse.platform.ts';
import { type Deployment, resolveDeployment } from './config/deployment.ts';
import { resolveLandingZone } from './config/landing-zone.ts';
import type { PlatformConfig } from './config/platform.ts';
import type { LandingZoneConfig } from './config/types.ts';
import { addLandingZone, type LandingZoneStacks } from './landing-zone.ts';
import { addPlatform, type PlatformStacks } from './platform/platform.ts';

export interface BourseApp {
  readonly app: App;
  readonly deployment: Deployment;
  /** In the organization phase only `organization` is left in the app; the others are built, then removed. */
  readonly landingZone: LandingZoneStacks;
  readonly platform: PlatformStacks;
}

export function buildApp(
  config: LandingZoneConfig,
  props: AppProps = {},
  platformConfig: PlatformConfig = boursePlatform,
): BourseApp {
  const app = new App({ ...props, context: { ...APP_CONTEXT, ...props.context } });
  const deployment = resolveDeployment(app.node, config, platformConfig);
  const zone = resolveLandingZone(deployment.config);
  const landingZone = addLandingZone(app, zone);
  const platform = addPlatform(app, zone, landingZone, deployment.platform);
  // The first deployment creates the accounts, the second the networks: nothing that needs their ids is kept
  // before they are recorded.
  const kept =
    deployment.phase === 'organization'
      ? new Set<unknown>([landingZone.organization])
      : deployment.phase === 'landing-zone'
        ? new Set<unknown>(landingStacks(landingZone))
        : undefined;
  if (kept) {
    for (const child of [...app.node.children]) if (!kept.has(child)) app.node.tryRemoveChild(child.node.id);
  }
  if (deployment.example) markExample(app);
  addChecks(app);
  return { app, deployment, landingZone, platform };
}

function landingStacks(stacks: LandingZoneStacks): unknown[] {
  return Object.values(stacks).flatMap((v) => (v instanceof Map ? [...v.values()] : [v]));
}

/** Rule id that makes CloudFormation refuse an example template before it creates anything. */
export const EXAMPLE_ONLY_RULE = 'ExampleValuesOnly';

function markExample(app: App): void {
  for (const child of app.node.children) {
    if (!(child instanceof Stack)) continue;
    new CfnRule(child, EXAMPLE_ONLY_RULE, {
      assertions: [
        {
          assert: Fn.conditionEquals('example', 'deployable'),
          assertDescription:
            'Synthesized with example values (bourse:example); synthesize with bourse:deployment to deploy.',
        },
      ],
    });
  }
}
