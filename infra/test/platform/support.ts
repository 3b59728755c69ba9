/**
 * Synthesizes the app with the platform, once per test file, keeping only the stacks a file asserts on (and the
 * stacks they reference). Like test/support/synth.ts, it reads the validation report, so a file that synthesizes
 * also proves cdk-nag and the policy-as-code rules found nothing unacknowledged.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { type BourseApp, buildApp } from '../../lib/app.ts';
import { bourseConfig } from '../../lib/config/bourse.config.ts';
import type { PlatformStacks } from '../../lib/platform/platform.ts';
import type { TemplateJson } from '../support/synth.ts';

export type { TemplateJson };

export interface PlatformSynth {
  readonly assembly: CloudAssembly;
  readonly platform: PlatformStacks;
  readonly artifacts: readonly CloudFormationStackArtifact[];
  artifact(id: string): CloudFormationStackArtifact;
  template(id: string): Template;
  json(id: string): TemplateJson;
  readonly violations: readonly unknown[];
}

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
  return buildApp(bourseConfig, { outdir });
}

export function synthesizePlatform(only: readonly string[]): PlatformSynth {
  const outdir = mkdtempSync(join(tmpdir(), 'bourse-platform-'));
  const { app, platform } = buildPlatformApp(outdir);
  for (const child of [...app.node.children]) {
    if (!only.includes(child.node.id)) app.node.tryRemoveChild(child.node.id);
  }
  const assembly = app.synth();
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { violations: unknown[] }[];
  };
  const artifact = (id: string) => {
    const found = assembly.stacks.find((s) => s.hierarchicalId === id);
    if (!found)
      throw new Error(`no stack ${id}; have ${assembly.stacks.map((s) => s.hierarchicalId).join(', ')}`);
    return found;
  };
  const templates = new Map<string, Template>();
  return {
    assembly,
    platform,
    artifacts: assembly.stacks,
    artifact,
    template(id) {
      let t = templates.get(id);
      if (!t) {
        t = Template.fromJSON(artifact(id).template);
        templates.set(id, t);
      }
      return t;
    },
    json: (id) => artifact(id).template as TemplateJson,
    violations: report.pluginReports.flatMap((r) => r.violations),
  };
}
