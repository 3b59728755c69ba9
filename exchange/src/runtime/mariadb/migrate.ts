import type { Pool } from 'mysql2/promise';

/** One schema version: the statements that take the previous version to it. */
export interface Migration {
  readonly version: number;
  readonly statements: readonly string[];
}

/**
 * Brings a database up to the newest of `migrations` (versions 1, 2, ... in order), recording each
 * step's version in `schema_version` once it ran. DDL commits on its own in MariaDB, so a step is
 * written to run again safely (IF NOT EXISTS) should the process die between a step and its record.
 * A named lock keeps two processes that start together from migrating at once.
 */
export async function migrate(pool: Pool, name: string, migrations: readonly Migration[]): Promise<number> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`${name} migration ${i} has version ${m.version}, not ${i + 1}`);
  });
  const connection = await pool.getConnection();
  const lock = `bourse.migrate.${name}`;
  try {
    const [[got]] = (await connection.query('SELECT GET_LOCK(?, 60) AS got', [lock])) as unknown as [
      { got: number }[],
    ];
    if (got?.got !== 1) throw new Error(`${name}: another process holds the migration lock ${lock} for 60 s`);
    await connection.query(
      'CREATE TABLE IF NOT EXISTS schema_version (id TINYINT PRIMARY KEY, version INT NOT NULL) ENGINE=InnoDB',
    );
    await connection.query('INSERT IGNORE INTO schema_version (id, version) VALUES (1, 0)');
    const [[row]] = (await connection.query(
      'SELECT version FROM schema_version WHERE id = 1',
    )) as unknown as [{ version: number }[]];
    let version = row?.version ?? 0;
    const newest = migrations.length;
    if (version > newest) {
      throw new Error(
        `${name} schema version ${version} is newer than this build's ${newest}: run a newer build, ` +
          'or drop the database to rebuild it',
      );
    }
    for (const step of migrations.slice(version)) {
      for (const statement of step.statements) await connection.query(statement);
      await connection.query('UPDATE schema_version SET version = ? WHERE id = 1', [step.version]);
      version = step.version;
    }
    return version;
  } finally {
    await connection.query('SELECT RELEASE_LOCK(?)', [lock]).catch(() => undefined);
    connection.release();
  }
}
