/**
 * An exclusive, advisory lock on a folder, held by one live process at a time: a file created with
 * O_EXCL that names its holder (pid, and on Linux the process's start time, so a recycled pid is
 * not mistaken for the holder). A holder that died without releasing it (SIGKILL, power cut) leaves
 * a stale file, which the next taker detects and breaks. Node has no flock(2), hence a file.
 *
 * Within one host only: on a network folder shared by two hosts the pid check means nothing, so a
 * lock taken on another host is reported as held, never broken.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The lock file's name inside the folder it guards. */
export const LOCK_FILE = '.lock';

interface Holder {
  readonly pid: number;
  readonly host: string;
  /** /proc/<pid>/stat's start time in clock ticks since boot; undefined off Linux. */
  readonly startTicks: number | undefined;
  /** Unique per acquisition, so a release never removes another taker's file. */
  readonly token: string;
}

/** The folder is locked by a live process (or one on another host). */
export class LockHeldError extends Error {
  readonly code = 'LOCK_HELD';
  readonly dir: string;
  readonly holderPid: number;

  constructor(dir: string, holder: Holder, purpose: string) {
    const where = holder.host === hostname() ? '' : ` on host ${holder.host}`;
    super(
      `${dir} is held by another ${purpose}: process ${holder.pid}${where} (lock file ${join(dir, LOCK_FILE)}); stop it first, or give this one another folder`,
    );
    this.dir = dir;
    this.holderPid = holder.pid;
  }
}

export interface ExclusiveLock {
  readonly dir: string;
  /** Removes the lock file if it is still this lock's. Idempotent. */
  release(): void;
}

/**
 * Takes the lock on `dir` (created 0700 if missing) or throws `LockHeldError` naming the holder.
 * `purpose` names the holder kind in the message ("exchange", "journal writer").
 */
export function acquireExclusiveLock(dir: string, purpose: string): ExclusiveLock {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, LOCK_FILE);
  const me: Holder = {
    pid: process.pid,
    host: hostname(),
    startTicks: startTicksOf(process.pid),
    token: randomBytes(8).toString('hex'),
  };
  // Each pass either takes the lock, finds a live holder, or breaks one stale file and retries.
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createExclusive(path, me)) return lockOf(dir, path, me.token);
    const holder = readHolder(path);
    if (holder === 'gone') continue;
    if (holder !== 'unreadable' && isAlive(holder)) throw new LockHeldError(dir, holder, purpose);
    breakStale(path, holder);
  }
  throw new Error(`could not take the lock ${path}: it keeps changing hands`);
}

function lockOf(dir: string, path: string, token: string): ExclusiveLock {
  let released = false;
  return {
    dir,
    release() {
      if (released) return;
      released = true;
      const holder = readHolder(path);
      if (typeof holder === 'object' && holder.token === token) unlinkSync(path);
    },
  };
}

function createExclusive(path: string, holder: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * The holder a lock file names. A file caught between its creation and its write reads empty: that
 * taker is alive by definition, so an empty file younger than a moment is not stale. Rather than
 * time it, an unparsable file is retried once before being treated as stale.
 */
function readHolder(path: string): Holder | 'gone' | 'unreadable' {
  for (let tries = 0; tries < 2; tries++) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as Partial<Holder>;
      if (
        typeof parsed.pid === 'number' &&
        typeof parsed.host === 'string' &&
        typeof parsed.token === 'string'
      )
        return {
          pid: parsed.pid,
          host: parsed.host,
          startTicks: typeof parsed.startTicks === 'number' ? parsed.startTicks : undefined,
          token: parsed.token,
        };
    } catch {
      // Half-written: read it again below.
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  return 'unreadable';
}

function isAlive(holder: Holder): boolean {
  // Another host's process cannot be checked from here: assume it runs.
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the pid exists but belongs to another user, so it is alive.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const ticks = startTicksOf(holder.pid);
  return holder.startTicks === undefined || ticks === undefined || ticks === holder.startTicks;
}

/**
 * Removes a stale lock file, unless another taker replaced it meanwhile: the file is read again
 * just before the unlink, and only the same stale content is removed.
 */
function breakStale(path: string, stale: Holder | 'unreadable'): void {
  const now = readHolder(path);
  if (now === 'gone') return;
  const same =
    stale === 'unreadable' ? now === 'unreadable' : typeof now === 'object' && now.token === stale.token;
  if (!same) return;
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Field 22 of /proc/<pid>/stat (after the parenthesized command name, which may hold spaces). */
function startTicksOf(pid: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isSafeInteger(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}
