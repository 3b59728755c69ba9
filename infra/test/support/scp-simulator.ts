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
  /** @default ACCOUNT */
  readonly account?: string;
  /** @default 'eu-west-1' */
  readonly region?: string;
}

export const ACCOUNT = '201010000000';
const FULL_AWS_ACCESS: NamedPolicy = {
  name: 'FullAWSAccess',
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

/** Returns 'Allowed', 'ExplicitlyDenied' or 'ImplicitlyDenied'. */
export async function decide(ouPolicies: readonly NamedPolicy[], request: SimulatedRequest): Promise<string> {
  const account = request.account ?? ACCOUNT;
  const principal = request.principal ?? `arn:aws:iam::${account}:role/developer`;
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
        resource: { accountId: account, resource: request.resource ?? '*' },
        contextVariables: {
          'aws:RequestedRegion': request.region ?? 'eu-west-1',
          'aws:PrincipalArn': principal,
          ...request.context,
        },
      },
    } as Parameters<typeof runSimulation>[0],
    {},
  );
  if (result.resultType === 'error') throw new Error(`simulation error: ${JSON.stringify(result.errors)}`);
  if (result.resultType === 'single') return result.result.analysis.result;
  // A request on resource `*` comes back with one result per resource type the action has; the request is allowed
  // only if every one of them is (the simulator's overall result).
  return result.overallResult;
}
