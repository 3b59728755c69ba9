import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteAccountStore } from '../../src/gateway/auth/sqlite/sqlite-account-store.ts';
import { accountStoreContract } from './account-store-contract.ts';

accountStoreContract('sqlite', {
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'bourse-accounts-'));
    const path = join(dir, 'accounts.sqlite');
    return {
      open: (box) => SqliteAccountStore.open(path, box, { changePollMs: 0 }),
      // The database file and its WAL, byte for byte: a secret in the clear would show as text.
      async storedText() {
        const files = await readdir(dir);
        const bytes = await Promise.all(files.map((f) => readFile(join(dir, f))));
        return Buffer.concat(bytes).toString('latin1');
      },
      destroy: () => rm(dir, { recursive: true, force: true }),
    };
  },
});
