/**
 * The service construct's validation: every refusal happens before a resource is created and quotes the bad
 * value. The app is built (not synthesized) once, and each case adds a service to dev's services stack.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { bourseConfig } from '../../lib/config/bourse.config.ts';
import { boursePlatform } from '../../lib/config/bourse.platform.ts';
import { resolveLandingZone } from '../../lib/config/landing-zone.ts';
import { isBurstable, validatePlatformConfig } from '../../lib/config/platform.ts';
import { HardenedCapacity } from '../../lib/platform/hardened-capacity.ts';
import { BourseService, type BourseServiceProps } from '../../lib/service/bourse-service.ts';
import { buildPlatformApp } from '../platform/support.ts';

const { platform: stacks } = buildPlatformApp(mkdtempSync(join(tmpdir(), 'bourse-service-')));
const services = stacks.environments.get('dev')?.services;
if (!services) throw new Error('no dev services stack');
let n = 0;

function deploy(overrides: Partial<BourseServiceProps>): BourseService {
  n += 1;
  return new BourseService(services as Stack, `Case${n}`, {
    platform: services?.platform as BourseServiceProps['platform'],
    serviceName: `case-${n}`,
    image: 'gateway',
    imageTag: 'abc123',
    cpu: 512,
    memoryMiB: 1024,
    containerPort: 8080,
    healthCheck: { path: '/health' },
    ...overrides,
  });
}

describe('BourseService validation', () => {
  it('accepts a service declared in a few lines', () => {
    const service = deploy({
      latencySensitive: true,
      instanceType: 'c7i.xlarge',
      consumes: ['bourse.events'],
    });
    assert.ok(service.service);
  });

  it('fails if a latency-sensitive service asks for a burstable instance type', () => {
    assert.throws(
      () => deploy({ serviceName: 'hot', latencySensitive: true, instanceType: 't3.large' }),
      /service 'hot': a latency-sensitive service asks for burstable instance type 't3\.large'/,
    );
  });

  it('fails if any service asks for a burstable instance type', () => {
    assert.throws(() => deploy({ instanceType: 't4g.medium' }), /burstable instance type 't4g\.medium'/);
  });

  it('fails if a service declares no health check', () => {
    assert.throws(
      () => deploy({ serviceName: 'blind', healthCheck: undefined }),
      /service 'blind': declares no health check; set healthCheck\.path/,
    );
  });

  it('fails if the health check path is not absolute', () => {
    assert.throws(
      () => deploy({ healthCheck: { path: 'health' } }),
      /healthCheck\.path 'health' must start with \//,
    );
  });

  it("fails if the image tag is mutable ('latest')", () => {
    assert.throws(() => deploy({ imageTag: 'latest' }), /imageTag 'latest' must be an immutable release tag/);
  });

  it('fails if a single writer asks for more than one task', () => {
    assert.throws(
      () => deploy({ singleWriter: true, maxTasks: 2 }),
      /a single writer runs exactly one task, got minTasks undefined and maxTasks 2/,
    );
  });

  it('fails if the task counts are inverted', () => {
    assert.throws(() => deploy({ minTasks: 4, maxTasks: 2 }), /0 <= minTasks <= maxTasks, got 4 and 2/);
  });

  it('fails if public paths have no listener priority', () => {
    assert.throws(() => deploy({ publicPaths: ['/x/*'] }), /has publicPaths but no listenerPriority/);
  });

  it('fails if the service listens on a privileged port', () => {
    assert.throws(
      () => deploy({ containerPort: 80 }),
      /containerPort must be an unprivileged port \(1024-65535\), got 80/,
    );
  });

  it('fails if the service writes the logs topic itself', () => {
    assert.throws(() => deploy({ produces: ['bourse.logs'] }), /produces 'bourse\.logs' itself/);
  });
});

describe('capacity and configuration validation', () => {
  it('recognizes burstable types in every spelling', () => {
    for (const t of ['t3.large', 'db.t4g.medium', 'cache.t3.small', 'kafka.t3.small', 't3.small.search']) {
      assert.ok(isBurstable(t), t);
    }
    for (const t of [
      'c7i.xlarge',
      'db.r7g.large',
      'cache.r7g.large',
      'kafka.m7g.large',
      'r7g.large.search',
    ]) {
      assert.ok(!isBurstable(t), t);
    }
  });

  it('fails if capacity asks for a burstable instance type', () => {
    const stack = new Stack(new App(), 'Capacity');
    const compute = stacks.environments.get('dev')?.compute;
    assert.throws(
      () =>
        new HardenedCapacity(stack, 'Hot', {
          cluster: compute?.cluster as never,
          vpc: compute?.vpc as never,
          name: 'hot',
          instanceType: 't3.xlarge',
          placement: 'cluster',
          subnets: [],
          minInstances: 1,
          maxInstances: 1,
          notificationTopic: compute?.alarms.topic as never,
        }),
      /capacity 'hot': instance type 't3\.xlarge' is burstable/,
    );
  });

  it('fails if the platform configuration has a burstable size, a missing VPC or a bad subnet id', () => {
    const zone = resolveLandingZone(bourseConfig);
    const dev = boursePlatform.environments.dev;
    const bad = {
      ...boursePlatform,
      environments: {
        ...boursePlatform.environments,
        dev: {
          ...dev,
          sizing: { ...dev.sizing, latencyInstanceType: 't3.large', generalMaxInstances: 30 },
          vpcs: {
            'eu-west-1': { ...dev.vpcs['eu-west-1'], subnetIds: { edge: ['subnet-1'], app: [], data: [] } },
          },
        },
      },
    } as typeof boursePlatform;
    assert.throws(
      () => validatePlatformConfig(bad, zone),
      (error: Error & { problems?: string[] }) => {
        const problems = error.problems ?? [];
        assert.ok(
          problems.includes(
            "environments.dev.sizing.latencyInstanceType: 't3.large' is burstable; use m, c or r",
          ),
        );
        assert.ok(
          problems.some((p) => p.startsWith('environments.dev.sizing.generalMaxInstances: 30 exceeds 21')),
        );
        assert.ok(
          problems.includes(
            "environments.dev.vpcs.eu-west-1.subnetIds.edge[0]: 'subnet-1' is not a subnet id",
          ),
        );
        assert.ok(problems.some((p) => p.startsWith('environments.dev.vpcs.eu-central-1: missing')));
        return true;
      },
    );
  });

  it('accepts the platform configuration in the repository', () => {
    validatePlatformConfig(boursePlatform, resolveLandingZone(bourseConfig));
  });
});
