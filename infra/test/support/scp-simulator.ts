/**
 * Evaluates simulated requests against SCPs with @cloud-copilot/iam-simulate (AGPL-3.0, test-only; see
 * infra/README.md). The identity policy allows everything, so the decision is the SCPs' alone.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';

export interface NamedPolicy {
  readonly name: string;
  readonly policy: unknown;
}

export interface SimulatedRequest {
  readonly action: string;
  readonly resource?: string;
  /** @default - the workload account's role `developer` */
  readonly principal?: string;
  readonly context?: Readonly<Record<string, string | string[]>>;
}

export const ACCOUNT = '201010000000';
const FULL_AWS_ACCESS: NamedPolicy = {
  name: 'FullAWSAccess',
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

/** Returns 'Allowed', 'ExplicitlyDenied' or 'ImplicitlyDenied'. */
export async function decide(ouPolicies: readonly NamedPolicy[], request: SimulatedRequest): Promise<string> {
  const principal = request.principal ?? `arn:aws:iam::${ACCOUNT}:role/developer`;
  const result = await runSimulation(
    {
      identityPolicies: [
        {
          name: 'allow-all',
          policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
        },
      ],
      serviceControlPolicies: [
        { orgIdentifier: 'r-root', policies: [FULL_AWS_ACCESS] },
        { orgIdentifier: 'ou-bourse', policies: [...ouPolicies] },
      ],
      resourceControlPolicies: [],
      resourcePolicy: undefined,
      request: {
        action: request.action,
        principal,
        resource: { accountId: ACCOUNT, resource: request.resource ?? '*' },
        contextVariables: {
          'aws:RequestedRegion': 'eu-west-1',
          'aws:PrincipalArn': principal,
          ...request.context,
        },
      },
    } as Parameters<typeof runSimulation>[0],
    {},
  );
  if (result.resultType === 'error') throw new Error(`simulation error: ${JSON.stringify(result.errors)}`);
  if (result.resultType === 'single') return result.result.analysis.result;
  // Wildcard-only actions (no resource-level permissions) come back as a one-element wildcard result.
  if (result.resultType === 'wildcard' && result.results.length === 1 && result.results[0]) {
    return result.results[0].analysis.result;
  }
  throw new Error(`unexpected simulation result ${result.resultType}`);
}
