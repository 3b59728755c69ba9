/**
 * What every CDK app of Bourse checks at synthesis: cdk-nag's AwsSolutions pack and Bourse's own policy-as-code
 * rules. Both are validation plugins, so a finding that is not acknowledged (with a reason) fails synthesis.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { POLICY_RULES_CONTEXT, policyRulesPlugin } from './policies/policy-rules.ts';

/**
 * There is no cdk.json: the feature flags a new CDK project would get, and the flag that makes the validation
 * engine's findings errors, are set here, where each app is built.
 */
export const APP_CONTEXT: Record<string, unknown> = {
  ...CURRENTLY_RECOMMENDED_FLAGS,
  ...POLICY_RULES_CONTEXT,
  // Construct paths identify findings well enough; recording a stack trace per construct doubles synthesis time.
  'aws:cdk:disable-stack-trace': true,
};

export function addChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), policyRulesPlugin());
}
