/** Messages between the exchange's thread and its snapshot replica's. */

export interface ReplicaStart {
  readonly journalDir: string;
  readonly snapshotsDir: string;
  /** The replica starts from the state at this seq: the exchange's own when it started the replica. */
  readonly throughSeq: number;
}

export type ToReplica =
  /** Sequenced commands in order, framed by command-frames.ts. */
  | { readonly type: 'commands'; readonly frames: Uint8Array }
  /** Write a snapshot of the state after every command sent so far, stamped `ts`. */
  | { readonly type: 'snapshot'; readonly id: number; readonly ts: number }
  /** Report the seq and state hash after every command sent so far. */
  | { readonly type: 'state-hash'; readonly id: number };

export type FromReplica =
  | { readonly type: 'snapshotted'; readonly id: number; readonly seq: number }
  | { readonly type: 'state-hash'; readonly id: number; readonly seq: number; readonly hash: string }
  /** Writing that snapshot failed (the disk, not the replica): the next request tries again. */
  | { readonly type: 'write-failed'; readonly id: number; readonly message: string }
  /** The replica stopped: it applies and answers nothing more. */
  | { readonly type: 'failed'; readonly message: string };
