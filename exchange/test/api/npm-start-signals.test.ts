/**
 * Issue 12, item 16: a signal sent to the `npm start` process (what a user's terminal or a
 * supervisor stops) must stop the exchange cleanly, not leave it running with its ports. npm runs
 * the script through a shell; the script execs node, so the signal npm forwards reaches it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LOCK_FILE } from '../../src/runtime/exclusive-lock.ts';
import { killLeftovers, REPO_ROOT, ServerProcess, serverEnv } from '../support/server-process.ts';

const dirs: string[] = [];
after(() => {
  killLeftovers();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether this process can listen on the port: the exchange let it go. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} sent to npm start stops the exchange and frees its ports`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bourse-npm-start-'));
    dirs.push(dataDir);
    const npm = new ServerProcess(
      spawn('npm', ['start', '--silent'], { cwd: REPO_ROOT, env: serverEnv(dataDir) }),
    );
    const { url, admin } = await npm.listening();
    // The exchange's pid, from its lock on the data folder: npm's child, not npm.
    const exchangePid = (JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')) as { pid: number }).pid;
    assert.notEqual(exchangePid, npm.child.pid);
    npm.child.kill(signal);
    await npm.exited;
    // npm exits after its child does: the exchange is gone by now, or it was left behind.
    const leftBehind = alive(exchangePid);
    if (leftBehind) process.kill(exchangePid, 'SIGKILL');
    assert.equal(leftBehind, false, `the exchange (pid ${exchangePid}) outlived npm`);
    assert.ok(
      npm.lines.some((l) => l.msg === 'closed: final snapshot taken'),
      `the exchange stopped cleanly: ${JSON.stringify(npm.lines.map((l) => l.msg))}`,
    );
    assert.equal(existsSync(join(dataDir, LOCK_FILE)), false, 'the data folder is released');
    assert.ok(await portFree(Number(new URL(url).port)), 'the API port is free');
    assert.ok(await portFree(Number(new URL(admin).port)), 'the admin port is free');
  });
}
