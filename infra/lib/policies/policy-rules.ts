/**
 * Bourse's policy-as-code rules: CloudFormation Guard files in ./guard, evaluated on every synthesized template by
 * the CloudFormation validation engine that aws-cdk-lib bundles (WebAssembly, offline). Registered as a CDK
 * validation plugin, so `npm run synth` and every test synthesis fail on a violation, just as with cdk-nag.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { CloudFormationValidatePlugin, type ValidationRuleSource } from 'aws-cdk-lib';

const GUARD_DIRECTORY = new URL('./guard/', import.meta.url);

/** The rule files, in name order: no-burstable-instances, encryption-at-rest, versioned-buckets, ... */
export function guardRules(): ValidationRuleSource[] {
  return readdirSync(GUARD_DIRECTORY)
    .filter((file) => file.endsWith('.guard'))
    .sort()
    .map((file) => ({ name: file, content: readFileSync(new URL(file, GUARD_DIRECTORY), 'utf8') }));
}

let plugin: CloudFormationValidatePlugin | undefined;

/**
 * One plugin per process: its engine compiles the rules once (seconds) and is reused by every app synthesized
 * afterwards, such as the account baseline's own app.
 */
export function policyRulesPlugin(): CloudFormationValidatePlugin {
  plugin ??= new CloudFormationValidatePlugin({ guardRules: guardRules() });
  return plugin;
}

/** Makes the validation engine's findings errors instead of warnings. */
export const POLICY_RULES_CONTEXT = { '@aws-cdk/core:validateAgainstDefaultRules': true } as const;
