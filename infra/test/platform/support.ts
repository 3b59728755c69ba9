/**
 * The platform tests' view of test/support/synth.ts: which stacks an environment has, and a synthesis
 * that keeps only those a file asserts on (and the stacks they reference).
 */

import { type BourseApp, buildApp } from '../../lib/app.ts';
import { bourseConfig } from '../../lib/config/bourse.config.ts';
import { EXAMPLE_CONTEXT } from '../../lib/config/deployment.ts';
import { type Synthesized, synthesize, type TemplateJson } from '../support/synth.ts';

export type { TemplateJson };

export type PlatformSynth = Synthesized;

/** The platform stacks of one environment, as construct ids. */
export function environmentStackIds(env: string, standbyRegion = bourseConfig.regions[1]?.name): string[] {
  return [
    `Compute-${env}`,
    `Bus-${env}`,
    `Data-${env}`,
    `EdgeGlobal-${env}`,
    `Edge-${env}`,
    `Monitoring-${env}`,
    `Observability-${env}`,
    `Services-${env}`,
    `Compute-${env}-${standbyRegion}`,
    `Standby-${env}`,
    `Cicd-${env}`,
  ];
}

/** Builds the whole app (landing zone and platform) without synthesizing it. */
export function buildPlatformApp(outdir: string): BourseApp {
  return buildApp(bourseConfig, { outdir, context: { [EXAMPLE_CONTEXT]: true } });
}

export function synthesizePlatform(only: readonly string[]): PlatformSynth {
  return synthesize({ only });
}
