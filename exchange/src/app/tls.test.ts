import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';
import { loadTls } from './tls.ts';

describe('loadTls', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bourse-tls-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('makes a self-signed certificate once, and reads configured PEM files', () => {
    const made = loadTls(loadConfig({}, { dataDir, tls: 'self-signed' }))!;
    assert.match(made.cert, /^-----BEGIN CERTIFICATE-----/);
    const files = loadTls(
      loadConfig(
        {},
        {
          dataDir,
          tls: 'files',
          tlsCertFile: join(dataDir, 'tls', 'cert.pem'),
          tlsKeyFile: join(dataDir, 'tls', 'key.pem'),
        },
      ),
    );
    assert.deepEqual(files, made);
  });

  it('names the setting and the path of a PEM file it cannot read', () => {
    const config = loadConfig(
      {},
      {
        dataDir,
        tls: 'files',
        tlsCertFile: join(dataDir, 'no-cert.pem'),
        tlsKeyFile: join(dataDir, 'tls', 'key.pem'),
      },
    );
    assert.throws(
      () => loadTls(config),
      (error: unknown) =>
        error instanceof ConfigError &&
        /^tlsCertFile .*no-cert\.pem cannot be read: ENOENT/.test(error.message),
    );
  });
});
