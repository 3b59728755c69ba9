/**
 * Synthesizes the app once per test file (callers keep the result in a module-level constant) and hands out the
 * templates. Synthesis runs cdk-nag as a validation plugin, so a test file that synthesizes also proves that no
 * AwsSolutions finding is left unacknowledged.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { buildApp } from '../../lib/app.ts';
import { bourseConfig } from '../../lib/config/bourse.config.ts';
import { EXAMPLE_CONTEXT } from '../../lib/config/deployment.ts';
import type { PlatformConfig } from '../../lib/config/platform.ts';
import type { LandingZoneConfig } from '../../lib/config/types.ts';
import type { LandingZoneStacks } from '../../lib/landing-zone.ts';
import type { PlatformStacks } from '../../lib/platform/platform.ts';

export type TemplateJson = {
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation templates are untyped JSON.
  Resources: Record<string, { Type: string; Properties?: any; DependsOn?: unknown }>;
};

export interface Synthesized {
  readonly assembly: CloudAssembly;
  readonly stacks: LandingZoneStacks;
  readonly platform: PlatformStacks;
  readonly artifacts: readonly CloudFormationStackArtifact[];
  /** The artifact whose construct id (the stack's path in the app) is `id`. */
  artifact(id: string): CloudFormationStackArtifact;
  template(id: string): Template;
  json(id: string): TemplateJson;
  /** Violations in the validation report (cdk-nag), of any severity. */
  readonly violations: readonly unknown[];
}

export interface SynthesizeOptions {
  /**
   * Ids of the stacks to synthesize, with the stacks they reference; the others are removed before synthesis so a
   * test file pays only for what it asserts on.
   * @default - every stack
   */
  readonly only?: readonly string[];
  readonly config?: LandingZoneConfig;
  /** @default - lib/config/bourse.platform.ts */
  readonly platformConfig?: PlatformConfig;
  /**
   * CDK context of the app.
   * @default - example mode (`bourse:example`), the configuration's example values
   */
  readonly context?: Record<string, unknown>;
}

let wholeApp: Synthesized | undefined;

/** Synthesizes; the whole example app (no options) is synthesized once per process and shared. */
export function synthesize(options: SynthesizeOptions = {}): Synthesized {
  if (Object.keys(options).length > 0) return synthesizeApp(options);
  wholeApp ??= synthesizeApp(options);
  return wholeApp;
}

function synthesizeApp(options: SynthesizeOptions): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'bourse-cdk-'));
  process.on('exit', () => rmSync(outdir, { recursive: true, force: true }));
  const { app, landingZone, platform } = buildApp(
    options.config ?? bourseConfig,
    {
      outdir,
      context: options.context ?? { [EXAMPLE_CONTEXT]: true },
    },
    options.platformConfig,
  );
  if (options.only) {
    for (const child of [...app.node.children]) {
      if (!options.only.includes(child.node.id)) app.node.tryRemoveChild(child.node.id);
    }
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
    stacks: landingZone,
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
