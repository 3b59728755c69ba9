/**
 * The data folder holds every order, balance and key of the exchange: it is the owner's alone.
 * Folders are 0700 and files 0600, whatever the umask: each writer creates its files with those
 * modes, and a start tightens whatever it finds looser (an older version's files, a restore from a
 * backup, a hand-made folder), saying which paths it changed.
 */
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` and its missing parents 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Creates `path` empty and 0600 if it does not exist, so that a library that creates it itself
 * (SQLite, which gives its -wal and -shm files the database's mode) finds it owner-only.
 */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
}

/** A path whose mode let others in, and the mode it had. */
export interface LoosePath {
  readonly path: string;
  readonly mode: string;
}

/**
 * Walks `root` and sets every folder to 0700 and every file to 0600 that grants anything to group
 * or others; returns what it changed. Symbolic links are left alone (their target is not ours to
 * judge). A path it cannot change (another owner) throws, naming it: the start must not go on
 * with data others can read.
 */
export function tightenModes(root: string): LoosePath[] {
  const changed: LoosePath[] = [];
  const visit = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    const isDir = stat.isDirectory();
    const mode = stat.mode & 0o777;
    if ((mode & 0o077) !== 0) {
      const wanted = isDir ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
      try {
        chmodSync(path, (mode & 0o700) | wanted);
      } catch (error) {
        throw new Error(
          `${path} is mode ${octal(mode)} and cannot be made owner-only (${(error as Error).message}): fix its owner or mode`,
        );
      }
      changed.push({ path, mode: octal(mode) });
    }
    if (isDir) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return changed;
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
