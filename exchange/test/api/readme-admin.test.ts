import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiHarness } from './support/api-harness.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** The README's administration block: the first sh block after "Administration, one line each". */
function readmeAdminBlock(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.indexOf('Administration, one line each');
  assert.ok(section >= 0, 'the README has an administration section');
  const match = /```sh\n([\s\S]*?)```/.exec(readme.slice(section));
  assert.ok(match, 'the administration section has an sh block');
  return match[1]!;
}

interface Balance {
  readonly asset: string;
  readonly free: string;
  readonly locked: string;
}

describe("the README's administration examples", () => {
  let api: ApiHarness;
  let work: string;

  before(async () => {
    api = await ApiHarness.start();
    // Inside the repository, so that `npm run admin` finds the root package.json, as for a reader.
    mkdirSync(join(ROOT, '.tmp'), { recursive: true });
    work = mkdtempSync(join(ROOT, '.tmp', 'readme-admin-'));
  });
  after(async () => {
    await api.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('run as written, and act on the user they create and on no other', async () => {
    const users = async () =>
      (await api.admin<{ userId: number; name: string }[]>('GET', '/admin/users')).body;
    const balancesOf = async (userId: number) =>
      (await api.admin<Balance[]>('GET', `/admin/users/${userId}/balances`)).body;
    const before = new Map<number, Balance[]>();
    for (const user of await users()) before.set(user.userId, await balancesOf(user.userId));

    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'bash',
        ['-euo', 'pipefail', '-c', readmeAdminBlock()],
        { cwd: work, env: { ...process.env, BOURSE_DATA_DIR: api.dataDir } },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? 1), stdout, stderr }),
      );
    });
    assert.equal(run.code, 0, run.stderr);

    const created = JSON.parse(readFileSync(join(work, 'carol.json'), 'utf8')) as { userId: number };
    assert.ok(!before.has(created.userId), 'carol is a new user');
    // Deposited 1000.50, withdrew 100: what the block did, it did to carol.
    const usdt = (await balancesOf(created.userId)).find((b) => b.asset === 'USDT');
    assert.deepEqual([usdt?.free, usdt?.locked], ['900.500000', '0.000000']);
    for (const [userId, balances] of before) {
      assert.deepEqual(await balancesOf(userId), balances, `user ${userId} was not touched`);
    }
    const markets = await api.admin<{ symbol: string }[]>('GET', '/admin/markets');
    assert.ok(markets.body.some((m) => m.symbol === 'SOLUSDT'));
  });
});
