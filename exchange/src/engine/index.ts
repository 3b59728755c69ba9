export { MatchingEngine } from './engine.ts';
export { type EngineSnapshot, SNAPSHOT_FORMAT_VERSION, SnapshotFormatError } from './snapshot.ts';
