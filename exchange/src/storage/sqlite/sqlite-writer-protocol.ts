import type { ApplyResult } from '../read-model-port.ts';

/** Main thread to writer thread. Ids count up from 1; the writer answers each once, in order. */
export type WriterRequest =
  | {
      readonly id: number;
      readonly op: 'apply';
      /**
       * The batch's events as JSON: V8 writes and reads JSON several times faster than it structured-
       * clones as many small objects, and events are plain data (no undefined, no bigint).
       */
      readonly eventsJson: string;
      readonly throughSeq: number | undefined;
    }
  | { readonly id: number; readonly op: 'reset' | 'close' };

/**
 * Writer thread to main thread. Id 0 is the writer's start: the position it opened at, or why it
 * could not open. Errors cross as structured clones: built-in classes (RangeError) keep their class.
 */
export type WriterReply =
  | { readonly id: number; readonly ok: true; readonly result: ApplyResult | number }
  | { readonly id: number; readonly ok: false; readonly error: unknown };
