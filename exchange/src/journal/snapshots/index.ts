export type { LatestValid, Snapshot, SnapshotEntry, SnapshotProblem } from './snapshot-store.ts';
export { SnapshotStore } from './snapshot-store.ts';
