/**
 * The service-managed StackSet that deploys the account baseline to every account of the organization's OUs, in
 * both regions, automatically for every account that joins an OU later (including vended accounts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Lazy, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import type { Construct } from 'constructs';
import { APP_CONTEXT, addChecks } from '../checks.ts';
import type { LandingZone } from '../config/landing-zone.ts';
import { AccountBaselineStack } from './account-baseline-stack.ts';

export interface BaselineStackSetStackProps extends StackProps {
  readonly zone: LandingZone;
  /** OUs whose accounts receive the baseline. */
  readonly organizationalUnitIds: readonly string[];
}

export const BASELINE_STACK_SET_NAME = 'bourse-account-baseline';
/** CloudFormation's limit for an inline TemplateBody, in bytes. */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;

/**
 * Synthesizes the baseline in an app of its own, with the same cdk-nag checks and policy rules as the main app, and returns the
 * template. Runs once per synthesis of the main app.
 */
export function synthesizeBaselineTemplate(zone: LandingZone): Record<string, unknown> {
  const outdir = mkdtempSync(join(tmpdir(), 'bourse-baseline-'));
  try {
    const app = new App({ outdir, context: APP_CONTEXT });
    const stack = new AccountBaselineStack(app, 'AccountBaseline', { zone });
    addChecks(app);
    return app.synth().getStackArtifact(stack.artifactId).template as Record<string, unknown>;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export class BaselineStackSetStack extends Stack {
  readonly stackSet: CfnStackSet;
  private template?: Record<string, unknown>;

  /** The baseline template, synthesized on first use (at the latest when this stack is synthesized). */
  get baselineTemplate(): Record<string, unknown> {
    this.template ??= synthesizeBaselineTemplate(this.zone);
    return this.template;
  }

  private readonly zone: LandingZone;

  constructor(scope: Construct, id: string, props: BaselineStackSetStackProps) {
    super(scope, id, props);
    this.zone = props.zone;
    const body = Lazy.string({
      produce: () => {
        const json = JSON.stringify(this.baselineTemplate);
        if (Buffer.byteLength(json) > MAX_TEMPLATE_BODY_BYTES) {
          throw new Error(
            `the account baseline template is ${Buffer.byteLength(json)} bytes; the limit is 51,200`,
          );
        }
        return json;
      },
    });
    this.stackSet = new CfnStackSet(this, 'AccountBaseline', {
      stackSetName: BASELINE_STACK_SET_NAME,
      description:
        'Bourse account baseline: roles, KMS, EBS encryption, S3 public-access block, Session Manager, Config',
      permissionModel: 'SERVICE_MANAGED',
      callAs: 'SELF',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      managedExecution: { Active: true },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      operationPreferences: {
        failureTolerancePercentage: 10,
        maxConcurrentPercentage: 25,
        regionConcurrencyType: 'PARALLEL',
      },
      stackInstancesGroup: [
        {
          deploymentTargets: { organizationalUnitIds: [...props.organizationalUnitIds] },
          regions: [...props.zone.regionNames],
        },
      ],
      templateBody: body,
    });
  }
}
