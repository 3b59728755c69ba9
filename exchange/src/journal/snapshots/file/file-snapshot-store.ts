import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from '../../fsync-dir.ts';
import { decodeSnapshot, encodeSnapshot } from '../snapshot-format.ts';
import {
  type LatestValid,
  latestValidOf,
  type Snapshot,
  type SnapshotEntry,
  type SnapshotProblem,
  type SnapshotStore,
} from '../snapshot-store.ts';

const NAME_PATTERN = /^snapshot-(\d{20})\.snap$/;
const TEMP_PATTERN = /^\.snapshot-\d{20}\..+\.tmp$/;

function fileName(seq: number): string {
  return `snapshot-${String(seq).padStart(20, '0')}.snap`;
}

/**
 * The embedded adapter of the snapshot store port: snapshots of the engine state in one folder, one file per snapshot named after its seq. Writes are
 * atomic: a reader sees either the old set of files or the new one with a complete file, never a
 * partial file under a snapshot's name (temp file, fsync, rename, fsync of the folder).
 */
export class FileSnapshotStore implements SnapshotStore {
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Opens the folder, creating it if needed, and removes temp files left by a crash mid-write. */
  static async open(dir: string): Promise<FileSnapshotStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const stale = (await readdir(dir)).filter((name) => TEMP_PATTERN.test(name));
    for (const name of stale) await unlink(join(dir, name));
    if (stale.length > 0) await fsyncDir(dir);
    return new FileSnapshotStore(dir);
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

  latestValid(): Promise<LatestValid> {
    return latestValidOf(this);
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
