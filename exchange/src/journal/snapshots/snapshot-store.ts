/**
 * The snapshot store port: where the engine's state is kept every so often, so that recovery replays
 * only the log after it. Recovery, the snapshotter and the replica use this interface only.
 *
 * Adapters: `file/` (embedded: one folder, one file per snapshot) and `kafka/` (scale-out: a compacted
 * topic on the same cluster as the log, which every engine instance on every machine reaches).
 * Contract suite: `test/contracts/snapshot-contract.ts`.
 */

/** A snapshot that passed its checks. */
export interface Snapshot {
  /** The last command included in the state; replay resumes at `seq + 1`. */
  readonly seq: number;
  readonly ts: number;
  /** The engine's bytes, exactly as written (a string body comes back as its UTF-8 bytes). */
  readonly body: Uint8Array;
  /** Where the snapshot is stored, for `load` and for reports: a file path, or `kafka:<topic>/<seq>`. */
  readonly file: string;
}

/** A stored snapshot as listed, not yet checked. */
export interface SnapshotEntry {
  readonly seq: number;
  /** Where it is stored (see `Snapshot.file`); `load` takes it. */
  readonly file: string;
  readonly bytes: number;
}

/** A snapshot that could not be used, and where it went wrong. */
export interface SnapshotProblem {
  readonly file: string;
  /** Byte offset of the damage in the encoded snapshot (snapshot-format.ts). */
  readonly offset: number;
  readonly reason: string;
}

export interface LatestValid {
  /** The newest snapshot whose checks pass, or undefined: then recovery replays the whole log. */
  readonly snapshot: Snapshot | undefined;
  /** Every newer snapshot that failed, newest first. Recovery should log them; none is skipped silently. */
  readonly problems: readonly SnapshotProblem[];
}

export interface SnapshotStore {
  /**
   * Stores the state as of `seq` durably; resolves once it is durable (fsync'd, or acknowledged by the
   * in-sync replicas). A reader sees either the whole snapshot or none of it, never a part.
   */
  write(seq: number, ts: number, body: Uint8Array | string): Promise<SnapshotEntry>;
  /** The stored snapshots, newest first, without checking their contents. */
  list(): Promise<SnapshotEntry[]>;
  /** Reads and checks one snapshot, named as `list` named it. */
  load(file: string): Promise<Snapshot | SnapshotProblem>;
  /** The newest snapshot that passes its checks, and a problem for each newer one that does not. */
  latestValid(): Promise<LatestValid>;
  /**
   * Deletes the snapshots older than `keepFromSeq`. Pass the seq of the snapshot recovery would use
   * (from `latestValid`), so that a damaged newer one never leaves nothing valid behind.
   */
  prune(keepFromSeq: number): Promise<SnapshotEntry[]>;
}

/** `latestValid` from `list` and `load`: the same rule for every adapter. */
export async function latestValidOf(store: Pick<SnapshotStore, 'list' | 'load'>): Promise<LatestValid> {
  const problems: SnapshotProblem[] = [];
  for (const entry of await store.list()) {
    const loaded = await store.load(entry.file);
    if ('reason' in loaded) problems.push(loaded);
    else return { snapshot: loaded, problems };
  }
  return { snapshot: undefined, problems };
}
