/**
 * The whole app, synthesized once: every stack for every account, environment and region, offline, with no
 * context lookups, and with cdk-nag and the policy-as-code rules run on every template.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { App } from 'aws-cdk-lib';
import { bourseConfig } from '../lib/config/bourse.config.ts';
import { acknowledge } from '../lib/constructs/nag.ts';
import { synthesize } from './support/synth.ts';

const synth = synthesize();
const config = bourseConfig;

describe('the Bourse app', () => {
  it('synthesizes every landing zone stack for every account, environment and region', () => {
    // The platform's stacks (issue 6) are placed and checked in test/platform/.
    const landingZoneIds = new Set(
      Object.values(synth.stacks)
        .flatMap((s) => (s instanceof Map ? [...s.values()] : [s]))
        .map((s) => s.node.id),
    );
    const placed = synth.artifacts
      .filter((a) => landingZoneIds.has(a.hierarchicalId))
      .map((a) => `${a.hierarchicalId}@${a.environment.account}/${a.environment.region}`)
      .sort();
    const management = config.sharedAccounts.management.id;
    const [home, second] = config.regions.map((r) => r.name);
    const expected = [
      `Organization@${management}/${home}`,
      `Baseline@${management}/${home}`,
      `Identity@${management}/${home}`,
      `AccountVending@${management}/${home}`,
      `Cost@${management}/${home}`,
      `LogArchive@${config.sharedAccounts.logArchive.id}/${home}`,
      ...[home, second].flatMap((r) => [
        `SecurityDelegation-${r}@${management}/${r}`,
        `SecurityServices-${r}@${config.sharedAccounts.security.id}/${r}`,
      ]),
      ...config.environments.flatMap((e) =>
        config.regions.map(
          (r) => `Network-${e.name}-${r.name}@${config.sharedAccounts.networking.id}/${r.name}`,
        ),
      ),
    ].sort();
    assert.deepEqual(placed, expected);
  });

  it('needs no context lookups or credentials', () => {
    for (const artifact of synth.artifacts) {
      const missing = artifact.assembly.manifest.missing ?? [];
      assert.deepEqual(missing, [], artifact.hierarchicalId);
    }
  });

  it('runs cdk-nag and the policy-as-code rules on every template, with no finding left', () => {
    const report = JSON.parse(
      readFileSync(join(synth.assembly.directory, 'validation-report.json'), 'utf8'),
    ) as {
      pluginReports: { pluginName: string; conclusion: string; violations: unknown[] }[];
    };
    // Plugins only appear in the report when they have something to say (findings or acknowledged findings).
    for (const p of report.pluginReports) {
      assert.equal(p.conclusion, 'success', p.pluginName);
      assert.deepEqual(p.violations, [], p.pluginName);
    }
    assert.deepEqual(synth.violations, []);
  });

  it('keeps the AGPL-licensed simulator out of everything that is deployed', () => {
    const sources = ['bin', 'lib'].flatMap((dir) =>
      readdirSync(new URL(`../${dir}/`, import.meta.url), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts'))
        .map((file) => readFileSync(new URL(`../${dir}/${file}`, import.meta.url), 'utf8')),
    );
    assert.ok(sources.length > 20);
    for (const source of sources) assert.doesNotMatch(source, /iam-simulate/);
  });

  it('refuses an acknowledgement without a real reason', () => {
    const app = new App();
    assert.throws(() => acknowledge(app, { id: 'AwsSolutions-S1', reason: 'ok' }), /needs a real reason/);
  });
});
