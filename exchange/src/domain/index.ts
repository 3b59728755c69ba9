export * from './amount.ts';
export type * from './commands.ts';
export type * from './events.ts';
export * from './market.ts';
export * from './reject-reason.ts';
