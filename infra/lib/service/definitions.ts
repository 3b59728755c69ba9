/**
 * Bourse's services, each declared in a few lines: what it runs, where, and what it uses. The construct derives
 * the task role, sidecars, health checks, autoscaling, alarms and placement from these declarations.
 */
import type { BourseServiceProps } from './bourse-service.ts';

export type ServiceDefinition = Omit<BourseServiceProps, 'platform' | 'imageTag' | 'putsEventsOn'> & {
  /** Puts events on the environment's remediation bus. */
  readonly remediates?: boolean;
};

export const SERVICE_DEFINITIONS: readonly ServiceDefinition[] = [
  {
    serviceName: 'engine',
    image: 'engine',
    cpu: 4096,
    memoryMiB: 8192,
    containerPort: 8081,
    healthCheck: { path: '/health' },
    latencySensitive: true,
    singleWriter: true,
    consumes: ['bourse.commands'],
    produces: ['bourse.events'],
  },
  {
    serviceName: 'gateway',
    image: 'gateway',
    cpu: 2048,
    memoryMiB: 4096,
    containerPort: 8080,
    healthCheck: { path: '/api/v3/ping' },
    latencySensitive: true,
    minTasks: 3,
    maxTasks: 12,
    produces: ['bourse.commands'],
    consumes: ['bourse.events', 'bourse.market-data'],
    databases: ['trading'],
    usesCache: true,
    secrets: { API_KEY_PEPPER: 'bourse/gateway/api-key-pepper' },
    publicPaths: ['/api/*', '/ws/*'],
    listenerPriority: 10,
  },
  {
    serviceName: 'projection',
    image: 'projection',
    cpu: 1024,
    memoryMiB: 2048,
    containerPort: 8082,
    healthCheck: { path: '/health' },
    consumes: ['bourse.events'],
    databases: ['trading', 'back-office'],
  },
  {
    serviceName: 'market-data',
    image: 'market-data',
    cpu: 1024,
    memoryMiB: 2048,
    containerPort: 8083,
    healthCheck: { path: '/health' },
    consumes: ['bourse.events'],
    produces: ['bourse.market-data'],
    usesCache: true,
  },
  {
    serviceName: 'web',
    image: 'web',
    cpu: 256,
    memoryMiB: 512,
    containerPort: 8084,
    healthCheck: { path: '/healthz' },
    publicPaths: ['/*'],
    listenerPriority: 100,
  },
  {
    serviceName: 'remediation-controller',
    image: 'remediation-controller',
    cpu: 256,
    memoryMiB: 512,
    containerPort: 8085,
    healthCheck: { path: '/health' },
    minTasks: 2,
    maxTasks: 2,
    remediates: true,
    environment: { ALERTMANAGER_WEBHOOK_PATH: '/alerts' },
  },
];

/** Services that connect to the cache, for the cache's user group. */
export function cacheUsers(definitions: readonly ServiceDefinition[] = SERVICE_DEFINITIONS): string[] {
  return definitions.filter((d) => d.usesCache).map((d) => d.serviceName);
}
