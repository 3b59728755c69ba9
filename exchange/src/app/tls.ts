import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type ServerConfig } from './config.ts';

/**
 * The certificate for https/wss. 'files' reads the configured PEM files; 'self-signed' makes one for
 * localhost on first use. Node's crypto can make keys but not X.509 certificates, so this shells out
 * to the `openssl` CLI (EC P-256, valid 825 days, SAN localhost and 127.0.0.1) and keeps the result
 * in <dataDir>/tls.
 */
export function loadTls(config: ServerConfig): { key: string; cert: string } | undefined {
  switch (config.tls) {
    case 'off':
      return undefined;
    case 'files':
      return {
        key: readPem('tlsKeyFile', config.tlsKeyFile!),
        cert: readPem('tlsCertFile', config.tlsCertFile!),
      };
    case 'self-signed': {
      const dir = join(config.dataDir, 'tls');
      const keyFile = join(dir, 'key.pem');
      const certFile = join(dir, 'cert.pem');
      if (!existsSync(keyFile) || !existsSync(certFile)) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        try {
          execFileSync(
            'openssl',
            [
              'req',
              '-x509',
              '-newkey',
              'ec',
              '-pkeyopt',
              'ec_paramgen_curve:prime256v1',
              '-nodes',
              '-keyout',
              keyFile,
              '-out',
              certFile,
              '-days',
              '825',
              '-subj',
              '/CN=localhost',
              '-addext',
              'subjectAltName=DNS:localhost,IP:127.0.0.1',
            ],
            { stdio: 'ignore' },
          );
          // openssl leaves the modes to the umask; the data folder's files are owner-only.
          chmodSync(keyFile, 0o600);
          chmodSync(certFile, 0o600);
        } catch (error) {
          throw new Error(
            `tls "self-signed" needs the openssl CLI to make a certificate (${(error as Error).message}); install openssl or use tls "files"`,
          );
        }
      }
      return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
    }
  }
}

/** A configured PEM file, or a ConfigError naming the setting, the path and why it cannot be read. */
function readPem(setting: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${setting} ${path} cannot be read: ${(error as Error).message}`);
  }
}
