/**
 * `npm run mariadb-replica -- start|stop|status`: the project's own MariaDB primary and its binlog
 * replica (see BinlogPair), in .tmp/mariadb/ of the repository, on ports 3316 and 3317 unless
 * BOURSE_MARIADB_PRIMARY_PORT and BOURSE_MARIADB_REPLICA_PORT say otherwise. The servers outlive
 * the command; `stop` shuts them down cleanly. Prints one JSON line.
 */
import { join, resolve } from 'node:path';
import { BinlogPair } from './mariadb-pair/binlog-pair.ts';

const REPO = resolve(import.meta.dirname, '..', '..', '..');

function port(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65_535) {
    console.error(`mariadb-replica: ${name} "${text}" is invalid: use an integer from 1 to 65535`);
    process.exit(2);
  }
  return value;
}

const pair = new BinlogPair({
  dir: process.env.BOURSE_MARIADB_PAIR_DIR ?? join(REPO, '.tmp', 'mariadb'),
  primaryPort: port('BOURSE_MARIADB_PRIMARY_PORT', 3316),
  replicaPort: port('BOURSE_MARIADB_REPLICA_PORT', 3317),
});

const command = process.argv[2];
switch (command) {
  case 'start':
    await pair.start({ detached: true });
    console.log(JSON.stringify(await pair.status()));
    break;
  case 'stop':
    await pair.stop();
    console.log(JSON.stringify(await pair.status()));
    break;
  case 'status':
    console.log(JSON.stringify(await pair.status()));
    break;
  default:
    console.error(`mariadb-replica: unknown command ${JSON.stringify(command)}: use start, stop or status`);
    process.exit(2);
}
