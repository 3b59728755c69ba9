import type { ResolvedFileJournalOptions } from './file-journal-options.ts';
import type { Pulse } from './pulse.ts';
import type { SegmentInfo } from './segment-info.ts';

/**
 * What the appender publishes and readers follow. Only durable data is published: the appender updates
 * `segments`, `durableSeq` and each segment's `durableSize` after the durable write, then fires `durable`.
 */
export interface JournalState {
  readonly options: ResolvedFileJournalOptions;
  /** In seq order; the last one is the active segment, the others are sealed. */
  readonly segments: SegmentInfo[];
  durableSeq: number;
  closed: boolean;
  readonly durable: Pulse;
}
