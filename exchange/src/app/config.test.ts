import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, mariadbDatabases } from './config.ts';

describe('loadConfig', () => {
  it('has defaults, a file overrides them, the environment overrides the file', () => {
    const defaults = loadConfig({});
    assert.equal(defaults.port, 8080);
    assert.equal(defaults.adminPort, 8081);
    assert.equal(defaults.marketMaker, true);
    assert.deepEqual([defaults.wsMessagesPerSecond, defaults.wsStreamsPerConnection], [5, 1024]);
    const dir = mkdtempSync(join(tmpdir(), 'bourse-config-'));
    const file = join(dir, 'bourse.json');
    writeFileSync(file, JSON.stringify({ port: 9000, marketMaker: false, dataDir: '/srv/bourse' }));
    const fromFile = loadConfig({ BOURSE_CONFIG: file });
    assert.deepEqual([fromFile.port, fromFile.marketMaker, fromFile.dataDir], [9000, false, '/srv/bourse']);
    const fromEnv = loadConfig({ BOURSE_CONFIG: file, BOURSE_PORT: '9100', BOURSE_MARKET_MAKER: 'true' });
    assert.deepEqual([fromEnv.port, fromEnv.marketMaker], [9100, true]);
  });

  it('fails if a value is bad, quoting it and saying what would do', () => {
    assert.throws(
      () => loadConfig({ BOURSE_PORT: '80x' }),
      /BOURSE_PORT "80x" is invalid: use an integer from 0 to 65535/,
    );
    assert.throws(() => loadConfig({ BOURSE_PORT: '70000' }), /BOURSE_PORT 70000 is invalid/);
    assert.throws(
      () => loadConfig({ BOURSE_MARKET_MAKER: 'yes' }),
      /BOURSE_MARKET_MAKER "yes" is invalid: use true or false/,
    );
    assert.throws(
      () => loadConfig({ BOURSE_TLS: 'on' }),
      /BOURSE_TLS "on" is invalid: use one of off, self-signed, files/,
    );
    assert.throws(() => loadConfig({ BOURSE_TLS: 'files' }), /needs tlsCertFile and tlsKeyFile/);
  });

  it('fails if the file is unreadable, not JSON, or names an unknown setting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bourse-config-'));
    assert.throws(() => loadConfig({ BOURSE_CONFIG: join(dir, 'missing.json') }), /cannot be read/);
    writeFileSync(join(dir, 'bad.json'), '{ port: 1 }');
    assert.throws(() => loadConfig({ BOURSE_CONFIG: join(dir, 'bad.json') }), /is not valid JSON/);
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ prot: 1 }));
    assert.throws(() => loadConfig({ BOURSE_CONFIG: join(dir, 'typo.json') }), /unknown setting "prot"/);
    writeFileSync(join(dir, 'type.json'), JSON.stringify({ port: '8080' }));
    assert.throws(() => loadConfig({ BOURSE_CONFIG: join(dir, 'type.json') }), /"port" "8080" is invalid/);
  });

  it('never quotes a secret back', () => {
    const secret = 'not-hex-but-secret';
    assert.throws(
      () => loadConfig({ BOURSE_MASTER_KEY: secret }),
      (error: Error) => !error.message.includes(secret) && /64 hex digits/.test(error.message),
    );
    assert.throws(
      () => loadConfig({ BOURSE_ADMIN_TOKEN: 'short' }),
      (error: Error) => !error.message.includes('short,') && /too short/.test(error.message),
    );
  });

  it('keeps SQLite by default and checks the MariaDB settings of storage "mariadb" up front', () => {
    assert.equal(loadConfig({}).storage, 'sqlite');
    const mariadb = { BOURSE_STORAGE: 'mariadb' };
    const ok = loadConfig({ ...mariadb, BOURSE_MARIADB_PORT: '3307', BOURSE_MARIADB_POOL_SIZE: '3' });
    assert.deepEqual(mariadbDatabases(ok), {
      trading: {
        host: '127.0.0.1',
        port: 3307,
        user: 'root',
        poolSize: 3,
        tls: 'off',
        database: 'bourse_trading',
      },
      backOffice: {
        host: '127.0.0.1',
        port: 3307,
        user: 'root',
        poolSize: 3,
        tls: 'off',
        database: 'bourse_backoffice',
      },
      replica: undefined,
    });
    assert.deepEqual(
      mariadbDatabases(loadConfig({ ...mariadb, BOURSE_MARIADB_REPLICA_PORT: '3317' })).replica,
      {
        host: '127.0.0.1',
        port: 3317,
        user: 'root',
        poolSize: 8,
        tls: 'off',
        database: 'bourse_trading',
      },
    );
    assert.throws(
      () => loadConfig({ BOURSE_STORAGE: 'postgres' }),
      /BOURSE_STORAGE "postgres" is invalid: use one of sqlite, mariadb/,
    );
    assert.throws(
      () => loadConfig({ ...mariadb, BOURSE_MARIADB_PORT: '0' }),
      /BOURSE_MARIADB_PORT 0 is invalid/,
    );
    assert.throws(
      () => loadConfig({ ...mariadb, BOURSE_MARIADB_TRADING_DATABASE: 'bourse-trading' }),
      /mariadb \(trading\) database "bourse-trading" is invalid: use 1 to 64 letters, digits, '_' or '\$'/,
    );
    assert.throws(
      () => loadConfig({ ...mariadb, BOURSE_MARIADB_BACKOFFICE_DATABASE: 'bourse_trading' }),
      /both "bourse_trading": trading and back-office data live in databases of their own/,
    );
    assert.throws(() => loadConfig({ ...mariadb, BOURSE_MARIADB_TLS: 'ca-file' }), /needs mariadbTlsCaFile/);
    assert.throws(
      () =>
        loadConfig({ ...mariadb, BOURSE_MARIADB_TLS: 'ca-file', BOURSE_MARIADB_TLS_CA_FILE: '/nope/ca.pem' }),
      /mariadbTlsCaFile "\/nope\/ca.pem" cannot be read/,
    );
    // Without storage "mariadb" the MariaDB settings are not used, so they are not held against a start.
    assert.equal(loadConfig({ BOURSE_MARIADB_BACKOFFICE_DATABASE: 'bourse_trading' }).storage, 'sqlite');
  });
});
