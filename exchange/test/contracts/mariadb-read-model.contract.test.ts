import { MariaDbReadModel } from '../../src/storage/mariadb/mariadb-read-model.ts';
import { dropDatabase, scratchDatabase } from '../support/mariadb.ts';
import { readModelContract } from './read-model-contract.ts';

readModelContract('mariadb', {
  async create() {
    const options = scratchDatabase('rm');
    return {
      open: () => MariaDbReadModel.open(options),
      destroy: () => dropDatabase(options),
    };
  },
});
