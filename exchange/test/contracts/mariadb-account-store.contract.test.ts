import mysql from 'mysql2/promise';
import { MariaDbAccountStore } from '../../src/gateway/auth/mariadb/mariadb-account-store.ts';
import { dropDatabase, scratchDatabase, TEST_MARIADB } from '../support/mariadb.ts';
import { accountStoreContract } from './account-store-contract.ts';

accountStoreContract('mariadb', {
  async create() {
    const options = scratchDatabase('acct');
    return {
      open: (box) => MariaDbAccountStore.open({ ...options, changePollMs: 0 }, box),
      // Every row of every table, bytes as latin1 text: a secret in the clear would show.
      async storedText() {
        const connection = await mysql.createConnection({ ...TEST_MARIADB, database: options.database });
        try {
          const parts: string[] = [];
          for (const table of ['users', 'api_keys', 'api_key_changes']) {
            const [rows] = await connection.query(`SELECT * FROM ${table}`);
            for (const row of rows as Record<string, unknown>[]) {
              for (const value of Object.values(row)) {
                parts.push(Buffer.isBuffer(value) ? value.toString('latin1') : String(value));
              }
            }
          }
          return parts.join('\n');
        } finally {
          await connection.end();
        }
      },
      destroy: () => dropDatabase(options),
    };
  },
});
