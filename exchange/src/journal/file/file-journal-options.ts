/** Settings of the file journal, CDK-props style: flat, readonly, defaults stated as behaviour. */
export interface FileJournalOptions {
  /** Folder of the segment files; created if missing. One writer per folder. */
  readonly dir: string;
  /** A new segment starts once the current one would grow past this. @default 64 MiB */
  readonly segmentBytes?: number;
  /**
   * How long the first append to an idle journal waits for others to join its batch before its durable
   * write. Appends arriving while a write runs always form the next batch without waiting.
   * 0 writes at the end of the event loop's turn, with every append made in that turn. @default 0
   */
  readonly batchWindowMs?: number;
  /** Largest payload accepted; also bounds what the reader trusts in a length field. @default 16 MiB */
  readonly maxPayloadBytes?: number;
  /**
   * Size of each sequential read. Small enough that a chunk's records die young while they are
   * replayed (1 MiB chunks kept ~17k records alive across collections and replayed 15% slower).
   * @default 256 KiB
   */
  readonly readChunkBytes?: number;
  /** Check every record of every sealed segment at open, not only the last segment. @default true */
  readonly verifySealedSegments?: boolean;
  /** Open for reading only: no appends, and a torn tail is left on disk (just not read). @default false */
  readonly readOnly?: boolean;
}

export type ResolvedFileJournalOptions = Required<FileJournalOptions>;

const MIB = 1024 * 1024;
/** Write at the end of the event loop's turn: see batchWindowMs. */
export const DEFAULT_BATCH_WINDOW_MS = 0;

export function resolveFileJournalOptions(options: FileJournalOptions): ResolvedFileJournalOptions {
  const resolved: ResolvedFileJournalOptions = {
    dir: options.dir,
    segmentBytes: options.segmentBytes ?? 64 * MIB,
    batchWindowMs: options.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS,
    maxPayloadBytes: options.maxPayloadBytes ?? 16 * MIB,
    readChunkBytes: options.readChunkBytes ?? 256 * 1024,
    verifySealedSegments: options.verifySealedSegments ?? true,
    readOnly: options.readOnly ?? false,
  };
  if (typeof resolved.dir !== 'string' || resolved.dir === '') {
    throw new TypeError(`dir must be a non-empty folder path, got ${JSON.stringify(resolved.dir)}`);
  }
  requireInteger('segmentBytes', resolved.segmentBytes, 64, 2 ** 40);
  requireInteger('maxPayloadBytes', resolved.maxPayloadBytes, 1, 2 ** 31);
  requireInteger('readChunkBytes', resolved.readChunkBytes, 4096, 2 ** 30);
  if (!(Number.isFinite(resolved.batchWindowMs) && resolved.batchWindowMs >= 0)) {
    throw new RangeError(`batchWindowMs must be a finite number >= 0, got ${resolved.batchWindowMs}`);
  }
  return resolved;
}

function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
