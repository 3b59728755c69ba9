import { close, open, write } from 'node:fs';

/**
 * Promise wrappers over the callback API of node:fs, which skips the FileHandle machinery of
 * fs/promises; these run once per batch on the append path.
 */

/** `mode` applies when `flags` create the file. @default 0o600 - owner only, as every journal file */
export function openFile(path: string, flags: string | number, mode = 0o600): Promise<number> {
  return new Promise((resolve, reject) =>
    open(path, flags, mode, (err, fd) => (err ? reject(err) : resolve(fd))),
  );
}

export function closeFile(fd: number): Promise<void> {
  return new Promise((resolve, reject) => close(fd, (err) => (err ? reject(err) : resolve())));
}

/** Writes all of `buf[offset, offset + length)` at `position`, looping over short writes. */
export async function writeFully(
  fd: number,
  buf: Uint8Array,
  offset: number,
  length: number,
  position: number,
): Promise<void> {
  let done = 0;
  while (done < length) {
    done += await new Promise<number>((resolve, reject) =>
      write(fd, buf, offset + done, length - done, position + done, (err, n) =>
        err ? reject(err) : resolve(n),
      ),
    );
  }
}
