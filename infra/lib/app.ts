/** Builds the whole CDK app from a configuration: validation first, then the stacks, then the checks. */
import { App, type AppProps } from 'aws-cdk-lib';
import { APP_CONTEXT, addChecks } from './checks.ts';
import { boursePlatform } from './config/bourse.platform.ts';
import { resolveLandingZone } from './config/landing-zone.ts';
import type { PlatformConfig } from './config/platform.ts';
import type { LandingZoneConfig } from './config/types.ts';
import { addLandingZone, type LandingZoneStacks } from './landing-zone.ts';
import { addPlatform, type PlatformStacks } from './platform/platform.ts';

export interface BourseApp {
  readonly app: App;
  readonly landingZone: LandingZoneStacks;
  readonly platform: PlatformStacks;
}

export function buildApp(
  config: LandingZoneConfig,
  props: AppProps = {},
  platformConfig: PlatformConfig = boursePlatform,
): BourseApp {
  const zone = resolveLandingZone(config);
  const app = new App({ ...props, context: { ...APP_CONTEXT, ...props.context } });
  const landingZone = addLandingZone(app, zone);
  const platform = addPlatform(app, zone, landingZone, platformConfig);
  addChecks(app);
  return { app, landingZone, platform };
}
