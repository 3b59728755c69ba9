import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { acquireExclusiveLock, LOCK_FILE, LockHeldError } from './exclusive-lock.ts';

const MODULE = new URL('./exclusive-lock.ts', import.meta.url).href;
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bourse-lock-'));
  dirs.push(dir);
  return dir;
}

/** A child process that takes the lock, says so, and waits to be killed. */
async function childHolding(dir: string) {
  const code = `import(${JSON.stringify(MODULE)}).then(({ acquireExclusiveLock }) => {
    acquireExclusiveLock(${JSON.stringify(dir)}, 'test');
    process.stdout.write('held\\n');
    setInterval(() => {}, 1000);
  });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('held')) resolve();
    });
    child.on('exit', (status) => reject(new Error(`the holder exited (${status})`)));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, exited };
}

test('a second taker in the same process is refused while the first holds the lock', () => {
  const dir = freshDir();
  const lock = acquireExclusiveLock(dir, 'exchange');
  assert.equal(statSync(join(dir, LOCK_FILE)).mode & 0o777, 0o600);
  assert.throws(
    () => acquireExclusiveLock(dir, 'exchange'),
    (error: unknown) =>
      error instanceof LockHeldError &&
      error.holderPid === process.pid &&
      error.message.includes(`process ${process.pid}`),
  );
  lock.release();
  assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  acquireExclusiveLock(dir, 'exchange').release();
});

test('a live holder in another process is named by its pid', async () => {
  const dir = freshDir();
  const { child, exited } = await childHolding(dir);
  try {
    assert.throws(
      () => acquireExclusiveLock(dir, 'exchange'),
      (error: unknown) => error instanceof LockHeldError && error.holderPid === child.pid,
    );
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
});

test('a holder killed with SIGKILL leaves a stale lock that the next taker breaks', async () => {
  const dir = freshDir();
  const { child, exited } = await childHolding(dir);
  child.kill('SIGKILL');
  await exited;
  assert.equal(existsSync(join(dir, LOCK_FILE)), true, 'the dead holder left its file');
  const lock = acquireExclusiveLock(dir, 'exchange');
  assert.throws(() => acquireExclusiveLock(dir, 'exchange'), LockHeldError);
  lock.release();
});

test("a release never removes another taker's lock", () => {
  const dir = freshDir();
  const first = acquireExclusiveLock(dir, 'exchange');
  first.release();
  const second = acquireExclusiveLock(dir, 'exchange');
  first.release();
  assert.throws(() => acquireExclusiveLock(dir, 'exchange'), LockHeldError);
  second.release();
});
