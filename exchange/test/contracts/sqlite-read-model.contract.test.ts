import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteReadModel } from '../../src/storage/sqlite/sqlite-read-model.ts';
import { readModelContract } from './read-model-contract.ts';

readModelContract('sqlite', {
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'bourse-read-model-'));
    const path = join(dir, 'read-model.db');
    return {
      open: async () => SqliteReadModel.open({ path }),
      destroy: () => rm(dir, { recursive: true, force: true }),
    };
  },
});
