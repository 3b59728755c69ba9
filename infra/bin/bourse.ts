/**
 * The Bourse CDK app. `npm run synth` runs this file: it validates lib/config/bourse.config.ts and synthesizes every
 * stack for every account, environment and region into infra/cdk.out, offline and without credentials.
 */
import { fileURLToPath } from 'node:url';
import { buildApp } from '../lib/app.ts';
import { bourseConfig } from '../lib/config/bourse.config.ts';

const outdir = fileURLToPath(new URL('../cdk.out', import.meta.url));
const { app } = buildApp(bourseConfig, { outdir });
const assembly = app.synth();
console.log(`synthesized ${assembly.stacks.length} stacks into ${assembly.directory}`);
