/** What the journal knows about one segment file while it is open. */
export interface SegmentInfo {
  readonly firstSeq: number;
  readonly path: string;
  /** Bytes from the start of the file that are durable and may be read; grows as batches are synced. */
  durableSize: number;
  /** Seq of the last durable record in this segment. */
  lastSeq: number;
  /** No more records will be added: a later segment exists and this one's bytes are all durable. */
  sealed: boolean;
}
