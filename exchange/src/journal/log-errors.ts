/**
 * Faults of the log and snapshot storage. Each class carries a stable `code` that callers match on,
 * the way undici's errors do; messages are for people and may change.
 */

export class JournalError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Stored data failed a check (checksum, header, sequence order) somewhere other than a torn tail, so
 * continuing would silently lose or invent records. Names the file and byte offset to look at.
 */
export class JournalCorruptError extends JournalError {
  readonly file: string;
  readonly offset: number;
  readonly reason: string;

  constructor(file: string, offset: number, reason: string) {
    super('JOURNAL_CORRUPT', `corrupt journal data in ${file} at byte offset ${offset}: ${reason}`);
    this.file = file;
    this.offset = offset;
    this.reason = reason;
  }
}

/** An append whose seq is not a positive safe integer greater than the last one. */
export class JournalSequenceError extends JournalError {
  constructor(message: string) {
    super('JOURNAL_SEQUENCE', message);
  }
}

/** An append with a bad timestamp or an oversized or missing payload. */
export class JournalRecordError extends JournalError {
  constructor(message: string) {
    super('JOURNAL_RECORD', message);
  }
}

/** The log was closed, or opened read-only, and cannot take this call. */
export class JournalClosedError extends JournalError {
  constructor(message = 'the journal is closed') {
    super('JOURNAL_CLOSED', message);
  }
}

/**
 * Writing or syncing failed. The journal stops taking appends for good: after a failed fsync the
 * kernel may have dropped the dirty pages, so retrying could acknowledge data that is not on disk.
 */
export class JournalIoError extends JournalError {
  constructor(message: string, cause: unknown) {
    super('JOURNAL_IO', message, { cause });
  }
}

/**
 * A newer writer has opened the log, so this one may never append again: two writers appending at once
 * would each believe their seq order was the log's. The writer's pending appends are not durable.
 */
export class JournalFencedError extends JournalError {
  constructor(message: string, cause?: unknown) {
    super('JOURNAL_FENCED', message, { cause });
  }
}
