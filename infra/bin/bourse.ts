/**
 * The Bourse CDK app. It validates lib/config/bourse.config.ts and synthesizes every stack for every account,
 * environment and region into infra/cdk.out, offline and without credentials.
 *
 *   node infra/bin/bourse.ts --example                         example values; CloudFormation refuses the templates
 *   node infra/bin/bourse.ts --deployment values.json          deployable; refuses while any value is a placeholder
 *   node infra/bin/bourse.ts --deployment values.json --phase organization   the organization stack alone
 *
 * The same settings are CDK context keys (bourse:example, bourse:deployment, bourse:phase), so
 * `cdk synth --app "node infra/bin/bourse.ts" -c bourse:deployment=values.json` works too.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildApp } from '../lib/app.ts';
import { bourseConfig } from '../lib/config/bourse.config.ts';
import {
  DEPLOYMENT_CONTEXT,
  EXAMPLE_CONTEXT,
  PHASE_CONTEXT,
  PlaceholderError,
} from '../lib/config/deployment.ts';

const { values } = parseArgs({
  options: {
    example: { type: 'boolean', default: false },
    deployment: { type: 'string' },
    phase: { type: 'string' },
  },
});
const context: Record<string, unknown> = {
  ...(values.example ? { [EXAMPLE_CONTEXT]: true } : {}),
  ...(values.deployment ? { [DEPLOYMENT_CONTEXT]: values.deployment } : {}),
  ...(values.phase ? { [PHASE_CONTEXT]: values.phase } : {}),
};
const outdir = fileURLToPath(new URL('../cdk.out', import.meta.url));
let built: ReturnType<typeof buildApp>;
try {
  built = buildApp(bourseConfig, { outdir, context });
} catch (error) {
  if (!(error instanceof PlaceholderError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const { app, deployment } = built;
const assembly = app.synth();
console.log(
  `synthesized ${assembly.stacks.length} stacks into ${assembly.directory}` +
    (deployment.example ? ' (example values: not deployable)' : ` (phase ${deployment.phase})`),
);
