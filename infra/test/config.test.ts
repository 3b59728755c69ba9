import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bourseConfig } from '../lib/config/bourse.config.ts';
import type { LandingZoneConfig } from '../lib/config/types.ts';
import { ConfigValidationError, validateConfig } from '../lib/config/validate.ts';

/** Asserts that validation fails and that one problem starts with `path` and contains `fragment`. */
function assertProblem(config: LandingZoneConfig, path: string, fragment: string) {
  assert.throws(
    () => validateConfig(config),
    (error: unknown) => {
      assert.ok(error instanceof ConfigValidationError);
      const hit = error.problems.find((p) => p.startsWith(`${path}:`) && p.includes(fragment));
      assert.ok(
        hit,
        `expected a problem at ${path} mentioning ${fragment}; got:\n${error.problems.join('\n')}`,
      );
      return true;
    },
  );
}

describe('configuration validation', () => {
  it('accepts the Bourse configuration and plans both regions', () => {
    const plans = validateConfig(bourseConfig);
    assert.deepEqual([...plans.keys()], ['eu-west-1', 'eu-central-1']);
  });

  it('fails if an account names an unknown domain', () => {
    const [first, ...rest] = bourseConfig.workloadAccounts;
    assert.ok(first);
    assertProblem(
      { ...bourseConfig, workloadAccounts: [{ ...first, domain: 'payments' }, ...rest] },
      'workloadAccounts[0].domain',
      "'payments' is not a declared domain",
    );
  });

  it('fails if an account names an unknown environment', () => {
    const config = {
      ...bourseConfig,
      environments: bourseConfig.environments.filter((e) => e.name !== 'dev'),
    };
    const index = config.workloadAccounts.findIndex((a) => a.environment === 'dev');
    assertProblem(config, `workloadAccounts[${index}].environment`, "'dev' is not a declared environment");
  });

  it('fails if a CIDR overlaps', () => {
    assertProblem(
      { ...bourseConfig, network: { ...bourseConfig.network, reservedCidrs: ['10.16.128.0/17'] } },
      'network.reservedCidrs[0]',
      '10.16.128.0/17 overlaps 10.16.0.0/12 (network.supernets.eu-central-1)',
    );
  });

  it('fails if two region supernets overlap', () => {
    assertProblem(
      {
        ...bourseConfig,
        network: {
          ...bourseConfig.network,
          supernets: { 'eu-west-1': '10.0.0.0/11', 'eu-central-1': '10.16.0.0/12' },
        },
      },
      'network.supernets.eu-central-1',
      'overlaps 10.0.0.0/11',
    );
  });

  it('fails if a CIDR has host bits set', () => {
    assertProblem(
      { ...bourseConfig, network: { ...bourseConfig.network, reservedCidrs: ['10.255.0.1/16'] } },
      'network.reservedCidrs[0]',
      'did you mean 10.255.0.0/16',
    );
  });

  it('fails if a supernet is too small for the plan', () => {
    assertProblem(
      {
        ...bourseConfig,
        network: {
          ...bourseConfig.network,
          supernets: { 'eu-west-1': '10.0.0.0/15', 'eu-central-1': '10.16.0.0/12' },
        },
      },
      'network.supernets.eu-west-1',
      'too small',
    );
  });

  it('fails if maxAccountsPerEnvironment is below the largest environment', () => {
    assertProblem(
      { ...bourseConfig, network: { ...bourseConfig.network, maxAccountsPerEnvironment: 3 } },
      'network.maxAccountsPerEnvironment',
      'below the 7 accounts',
    );
  });

  it('fails if an account id is reused', () => {
    const accounts = bourseConfig.workloadAccounts.map((a, i) =>
      i === 1 ? { ...a, id: bourseConfig.sharedAccounts.security.id } : a,
    );
    assertProblem(
      { ...bourseConfig, workloadAccounts: accounts },
      'workloadAccounts[1].id',
      'already used by sharedAccounts.security',
    );
  });

  it('fails if there are not exactly two regions with three zones', () => {
    const [home] = bourseConfig.regions;
    assert.ok(home);
    assertProblem({ ...bourseConfig, regions: [home] }, 'regions', 'expected exactly 2 regions');
    assertProblem(
      {
        ...bourseConfig,
        regions: [
          { ...home, availabilityZones: ['eu-west-1a', 'eu-west-1b', 'us-east-1c'] },
          ...bourseConfig.regions.slice(1),
        ],
      },
      'regions[0].availabilityZones[2]',
      "'us-east-1c' is not a zone of eu-west-1",
    );
  });

  it('fails if an allow-list environment has no domains', () => {
    assertProblem(
      {
        ...bourseConfig,
        environments: bourseConfig.environments.map((e) =>
          e.name === 'dev' ? { ...e, allowedDomains: [] } : e,
        ),
      },
      'environments[2].allowedDomains',
      'at least one domain',
    );
  });

  it('fails if production access would last longer than a shift', () => {
    assertProblem(
      { ...bourseConfig, identity: { ...bourseConfig.identity, productionAccessMinutes: 1440 } },
      'identity.productionAccessMinutes',
      'got 1440',
    );
  });

  it('reports every problem at once', () => {
    try {
      validateConfig({
        ...bourseConfig,
        prefix: 'Bad Prefix',
        organizationId: 'org-1',
        securityEmail: 'nobody',
      });
      assert.fail('expected a ConfigValidationError');
    } catch (error) {
      assert.ok(error instanceof ConfigValidationError);
      assert.deepEqual(
        error.problems.map((p) => p.split(':')[0]),
        ['prefix', 'organizationId', 'securityEmail'],
      );
    }
  });
});
