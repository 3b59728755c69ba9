import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ThreadedSqliteReadModel } from '../../src/storage/sqlite/threaded-sqlite-read-model.ts';
import { readModelContract } from './read-model-contract.ts';

readModelContract('sqlite, writes on a worker thread', {
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'bourse-read-model-threaded-'));
    const path = join(dir, 'read-model.db');
    return {
      open: () => ThreadedSqliteReadModel.open({ path }),
      destroy: () => rm(dir, { recursive: true, force: true }),
    };
  },
});
