/**
 * The CloudFormation validator that aws-cdk-lib bundles (@aws/cloudformation-validate), at its strictest (issue 19):
 * strict mode, every severity down to INFO, no rule excluded (the CDK plugin excludes some and stops at WARN), each
 * template with its own account and region, and the account baseline's StackSet template too. No error rule may
 * fire; every warning and informational class that fires is either fixed or acknowledged below with its reason,
 * and an acknowledgement that no longer fires is stale and fails too.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { synthesize, type TemplateJson } from '../support/synth.ts';

/** Warning and informational classes that fire on Bourse's templates, with why each is acceptable. */
const ACKNOWLEDGED: Readonly<Record<string, string>> = {
  W3005:
    'CDK adds DependsOn beside a Ref or GetAtt for ordering it needs across constructs; redundant, never wrong.',
  W3010:
    'Availability zones come from the configuration so that subnet placement and the CIDR plan are fixed and synthesis needs no lookup.',
  W9002:
    'The Identity Center instance ARN has no CloudFormation resource to reference; it is a deployment value (lib/config/deployment.ts).',
  W9013:
    'ARNs of other accounts (the organization, the security and shared services accounts, the SIEM) cannot use AWS::AccountId; they are deployment values.',
  I1022: 'CDK renders string concatenation as Fn::Join with an empty delimiter; equivalent to Fn::Sub.',
  I4010: 'Architecture context lives in infra/README.md and ARCHITECTURE.md, not in template metadata.',
  I9001: 'Informational: names Bourse sets are create-only by design (replacement is reviewed in cdk diff).',
  I9040:
    'Cost is attributed by account (one per domain and environment), so resource tags would add nothing to the cost reports.',
};

interface Diagnostic {
  readonly ruleId: string;
  readonly severity: string;
  readonly message: string;
  readonly entity?: { logicalId?: string };
}

const validate = createRequire(createRequire(import.meta.url).resolve('aws-cdk-lib'))(
  '@aws/cloudformation-validate',
) as {
  CompositeEngine: new (
    config: object,
  ) => {
    validateTemplate(template: unknown, options: object): { diagnostics: Diagnostic[] };
  };
  TemplateContent: new (text: string, path: string) => unknown;
};

const synth = synthesize();
const engine = new validate.CompositeEngine({});

function diagnosticsOf(name: string, template: unknown, account: string, region: string): Diagnostic[] {
  const report = engine.validateTemplate(new validate.TemplateContent(JSON.stringify(template), name), {
    detailLevel: 'STANDARD',
    severityLevel: 'INFO',
    strict: true,
    pseudoParameterOverrides: { accountId: account, region },
  });
  return report.diagnostics.map((d) => ({
    ...d,
    message: `${name} ${d.entity?.logicalId ?? ''}: ${d.message}`,
  }));
}

const diagnostics = synth.artifacts.flatMap((artifact) => {
  const { account, region } = artifact.environment;
  const own = diagnosticsOf(artifact.hierarchicalId, artifact.template, account, region);
  const stackSets = Object.entries((artifact.template as TemplateJson).Resources).filter(
    ([, r]) => r.Type === 'AWS::CloudFormation::StackSet',
  );
  const bodies = stackSets.flatMap(([id, r]) =>
    diagnosticsOf(`${artifact.hierarchicalId}/${id}`, JSON.parse(r.Properties.TemplateBody), account, region),
  );
  return [...own, ...bodies];
});

describe('the bundled CloudFormation validator at its strictest', () => {
  it('validates every template, the StackSet body included', () => {
    assert.ok(synth.artifacts.length > 40);
  });

  it('finds no error', () => {
    const errors = diagnostics.filter((d) => d.ruleId.startsWith('E') || d.severity === 'FATAL');
    assert.deepEqual(
      errors.map((d) => `${d.ruleId} ${d.message}`),
      [],
    );
  });

  it('finds no warning or informational class that is neither fixed nor acknowledged with a reason', () => {
    const classes = new Set(diagnostics.map((d) => d.ruleId));
    const unacknowledged = diagnostics.filter((d) => !(d.ruleId in ACKNOWLEDGED));
    assert.deepEqual([...new Set(unacknowledged.map((d) => `${d.ruleId}: ${d.message}`))].slice(0, 20), []);
    const stale = Object.keys(ACKNOWLEDGED).filter((id) => !classes.has(id));
    assert.deepEqual(stale, [], 'acknowledged classes that no longer fire');
  });

  // Issue 19: the Valkey cache (and the standby replicas' instances) had no deletion policy.
  it('gives every stateful resource an explicit deletion policy (I3011)', () => {
    assert.deepEqual(
      diagnostics.filter((d) => d.ruleId === 'I3011').map((d) => d.message),
      [],
    );
  });
});
