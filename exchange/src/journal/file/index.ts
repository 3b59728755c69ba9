export { FileJournal, type SegmentSummary } from './file-journal.ts';
export type { FileJournalOptions } from './file-journal-options.ts';
export type { TailRepair } from './recover-segments.ts';
