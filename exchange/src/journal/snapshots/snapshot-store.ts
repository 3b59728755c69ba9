import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from '../fsync-dir.ts';
import { decodeSnapshot, encodeSnapshot } from './snapshot-format.ts';

/** A snapshot that passed its checks. */
export interface Snapshot {
  /** The last command included in the state; replay resumes at `seq + 1`. */
  readonly seq: number;
  readonly ts: number;
  /** The engine's bytes, exactly as written (a string body comes back as its UTF-8 bytes). */
  readonly body: Uint8Array;
  readonly file: string;
}

/** A snapshot file as listed, not yet checked. */
export interface SnapshotEntry {
  readonly seq: number;
  readonly file: string;
  readonly bytes: number;
}

/** A snapshot file that could not be used, and where it went wrong. */
export interface SnapshotProblem {
  readonly file: string;
  readonly offset: number;
  readonly reason: string;
}

export interface LatestValid {
  /** The newest snapshot whose checks pass, or undefined: then recovery replays the whole log. */
  readonly snapshot: Snapshot | undefined;
  /** Every newer snapshot that failed, newest first. Recovery should log them; none is skipped silently. */
  readonly problems: readonly SnapshotProblem[];
}

const NAME_PATTERN = /^snapshot-(\d{20})\.snap$/;
const TEMP_PATTERN = /^\.snapshot-\d{20}\..+\.tmp$/;

function fileName(seq: number): string {
  return `snapshot-${String(seq).padStart(20, '0')}.snap`;
}

/**
 * Snapshots of the engine state in one folder, one file per snapshot named after its seq. Writes are
 * atomic: a reader sees either the old set of files or the new one with a complete file, never a
 * partial file under a snapshot's name (temp file, fsync, rename, fsync of the folder).
 */
export class SnapshotStore {
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Opens the folder, creating it if needed, and removes temp files left by a crash mid-write. */
  static async open(dir: string): Promise<SnapshotStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const stale = (await readdir(dir)).filter((name) => TEMP_PATTERN.test(name));
    for (const name of stale) await unlink(join(dir, name));
    if (stale.length > 0) await fsyncDir(dir);
    return new SnapshotStore(dir);
  }

  /** Writes the state as of `seq` durably; resolves once file and name are both on disk. */
  async write(seq: number, ts: number, body: Uint8Array | string): Promise<SnapshotEntry> {
    if (!Number.isSafeInteger(seq) || seq < 0)
      throw new RangeError(`seq must be a non-negative safe integer, got ${seq}`);
    if (!Number.isSafeInteger(ts) || ts < 0)
      throw new RangeError(`ts must be a non-negative safe integer, got ${ts}`);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const parts = encodeSnapshot({ seq, ts, body: bytes });
    const file = join(this.dir, fileName(seq));
    const temp = join(
      this.dir,
      `.${fileName(seq).replace('.snap', '')}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
    );
    // Owner-only, as every file of the data folder: the state holds every balance and order.
    const handle = await open(temp, 'wx', 0o600);
    let size = 0;
    try {
      for (const part of parts) {
        await handle.write(part, 0, part.length, size);
        size += part.length;
      }
      await handle.sync();
    } catch (err) {
      await handle.close();
      await unlink(temp).catch(() => {});
      throw err;
    }
    await handle.close();
    await rename(temp, file);
    await fsyncDir(this.dir);
    return { seq, file, bytes: size };
  }

  /** The snapshot files, newest first, without checking their contents. */
  async list(): Promise<SnapshotEntry[]> {
    const entries: SnapshotEntry[] = [];
    for (const name of await readdir(this.dir)) {
      const seq = NAME_PATTERN.exec(name)?.[1];
      if (seq === undefined) continue;
      const file = join(this.dir, name);
      entries.push({ seq: Number(seq), file, bytes: (await stat(file)).size });
    }
    return entries.sort((a, b) => b.seq - a.seq);
  }

  /** Reads and checks one snapshot file. */
  async load(file: string): Promise<Snapshot | SnapshotProblem> {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      return { file, offset: 0, reason: `unreadable: ${(err as Error).message}` };
    }
    const decoded = decodeSnapshot(bytes);
    if ('reason' in decoded) return { file, ...decoded };
    const named = Number(NAME_PATTERN.exec(file.slice(file.lastIndexOf('/') + 1))?.[1] ?? decoded.seq);
    if (named !== decoded.seq)
      return { file, offset: 8, reason: `header says seq ${decoded.seq} but the file name says ${named}` };
    return { ...decoded, file };
  }

  /** The newest snapshot that passes its checks, and a problem for each newer one that does not. */
  async latestValid(): Promise<LatestValid> {
    const problems: SnapshotProblem[] = [];
    for (const entry of await this.list()) {
      const loaded = await this.load(entry.file);
      if ('reason' in loaded) problems.push(loaded);
      else return { snapshot: loaded, problems };
    }
    return { snapshot: undefined, problems };
  }

  /**
   * Deletes the snapshots older than `keepFromSeq`. Pass the seq of the snapshot recovery would use
   * (from `latestValid`), so that a damaged newer file never leaves nothing valid behind.
   */
  async prune(keepFromSeq: number): Promise<SnapshotEntry[]> {
    const doomed = (await this.list()).filter((entry) => entry.seq < keepFromSeq);
    for (const entry of doomed) await unlink(entry.file);
    if (doomed.length > 0) await fsyncDir(this.dir);
    return doomed;
  }
}
