import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CidrPlanError,
  type CidrPlanInput,
  environmentPrefixLength,
  planCidrs,
} from '../lib/config/cidr-planner.ts';
import { cidr, contains, formatCidr, overlaps, size } from '../lib/config/ipv4.ts';

/** Random but well-formed planner inputs: a supernet, up to four environments, a few accounts each. */
const inputs = fc
  .record({
    first: fc.integer({ min: 0, max: 255 }),
    supernetPrefix: fc.integer({ min: 8, max: 20 }),
    environmentCount: fc.integer({ min: 1, max: 4 }),
    maxAccounts: fc.integer({ min: 1, max: 40 }),
    vpcPrefixLength: fc.integer({ min: 16, max: 24 }),
    accountDelta: fc.integer({ min: 0, max: 6 }),
    accountCounts: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 4, maxLength: 4 }),
  })
  .map((r): CidrPlanInput => {
    const supernetBase = r.first * 2 ** 24 - ((r.first * 2 ** 24) % size(r.supernetPrefix));
    const environments = ['prod', 'staging', 'dev', 'qa'].slice(0, r.environmentCount);
    return {
      supernet: formatCidr({ base: supernetBase, prefixLength: r.supernetPrefix }),
      environments,
      accountsByEnvironment: Object.fromEntries(
        environments.map((env, i) => [
          env,
          Array.from({ length: Math.min(r.accountCounts[i] ?? 0, r.maxAccounts) }, (_, a) => `${env}-${a}`),
        ]),
      ),
      maxAccountsPerEnvironment: r.maxAccounts,
      vpcPrefixLength: r.vpcPrefixLength,
      accountPrefixLength: Math.min(28, r.vpcPrefixLength + r.accountDelta),
    };
  });

function fits(input: CidrPlanInput): boolean {
  const supernet = cidr(input.supernet);
  return input.environments.length * size(environmentPrefixLength(input)) <= size(supernet.prefixLength);
}

function allRanges(input: CidrPlanInput) {
  const plan = planCidrs(input);
  return plan.environments.flatMap((e) => [e.vpcCidr, ...e.accounts.map((a) => a.cidr)]).map(cidr);
}

describe('CIDR planner', () => {
  it('plans every range inside the supernet and inside its environment block', () => {
    fc.assert(
      fc.property(inputs.filter(fits), (input) => {
        const plan = planCidrs(input);
        const supernet = cidr(input.supernet);
        for (const env of plan.environments) {
          const block = cidr(env.block);
          assert.ok(contains(supernet, block));
          assert.ok(contains(block, cidr(env.vpcCidr)));
          for (const account of env.accounts) assert.ok(contains(block, cidr(account.cidr)));
        }
      }),
    );
  });

  it('never plans two overlapping ranges', () => {
    fc.assert(
      fc.property(inputs.filter(fits), (input) => {
        const ranges = allRanges(input);
        for (let i = 0; i < ranges.length; i++) {
          for (let j = i + 1; j < ranges.length; j++) {
            const a = ranges[i];
            const b = ranges[j];
            assert.ok(a && b && !overlaps(a, b), `${a && formatCidr(a)} overlaps ${b && formatCidr(b)}`);
          }
        }
      }),
    );
  });

  it('gives every account one range of the requested size', () => {
    fc.assert(
      fc.property(inputs.filter(fits), (input) => {
        const plan = planCidrs(input);
        for (const env of plan.environments) {
          assert.deepEqual(
            env.accounts.map((a) => a.account),
            input.accountsByEnvironment[env.environment],
          );
          for (const a of env.accounts) assert.equal(cidr(a.cidr).prefixLength, input.accountPrefixLength);
          assert.equal(cidr(env.vpcCidr).prefixLength, input.vpcPrefixLength);
        }
      }),
    );
  });

  it('sizes each environment for the maximum number of accounts, so adding one moves no other', () => {
    fc.assert(
      fc.property(
        inputs
          .filter(fits)
          .filter(
            (i) =>
              (i.accountsByEnvironment[i.environments[0] ?? '']?.length ?? 0) < i.maxAccountsPerEnvironment,
          ),
        (input) => {
          const env = input.environments[0] ?? '';
          const grown: CidrPlanInput = {
            ...input,
            accountsByEnvironment: {
              ...input.accountsByEnvironment,
              [env]: [...(input.accountsByEnvironment[env] ?? []), 'newcomer'],
            },
          };
          const before = planCidrs(input).environments;
          const after = planCidrs(grown).environments;
          for (const [i, e] of before.entries()) {
            const a = after[i];
            assert.ok(a);
            assert.equal(a.block, e.block);
            assert.equal(a.vpcCidr, e.vpcCidr);
            assert.deepEqual(a.accounts.slice(0, e.accounts.length), e.accounts);
          }
        },
      ),
    );
  });

  it('fails exactly when the environments do not fit in the supernet', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        if (fits(input)) planCidrs(input);
        else assert.throws(() => planCidrs(input), CidrPlanError);
      }),
    );
  });

  it('fails if an environment has more accounts than the maximum', () => {
    assert.throws(
      () =>
        planCidrs({
          supernet: '10.0.0.0/8',
          environments: ['prod'],
          accountsByEnvironment: { prod: ['a', 'b', 'c'] },
          maxAccountsPerEnvironment: 2,
          vpcPrefixLength: 16,
          accountPrefixLength: 20,
        }),
      /environment 'prod' has 3 accounts but maxAccountsPerEnvironment is 2/,
    );
  });

  it('plans the Bourse example as documented', () => {
    const plan = planCidrs({
      supernet: '10.0.0.0/12',
      environments: ['prod', 'staging', 'dev'],
      accountsByEnvironment: { prod: ['trading-prod', 'wallet-prod'] },
      maxAccountsPerEnvironment: 16,
      vpcPrefixLength: 16,
      accountPrefixLength: 20,
    });
    assert.deepEqual(
      plan.environments.map((e) => [e.environment, e.block, e.vpcCidr]),
      [
        ['prod', '10.0.0.0/15', '10.0.0.0/16'],
        ['staging', '10.2.0.0/15', '10.2.0.0/16'],
        ['dev', '10.4.0.0/15', '10.4.0.0/16'],
      ],
    );
    assert.deepEqual(plan.environments[0]?.accounts, [
      { account: 'trading-prod', cidr: '10.1.0.0/20' },
      { account: 'wallet-prod', cidr: '10.1.16.0/20' },
    ]);
  });
});
