export { bourseConfig } from './bourse.config.ts';
export * from './cidr-planner.ts';
export * from './ipv4.ts';
export * from './types.ts';
export * from './validate.ts';
