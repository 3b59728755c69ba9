import type { PoolConnection } from 'mysql2/promise';

/** Rows per statement, largest first: any count is written with few statements of few shapes. */
const CHUNKS = [256, 64, 16, 4, 1] as const;

export type SqlValue = number | string | null;

/**
 * A multi-row INSERT as prepared statements of a few fixed sizes (256, 64, 16, 4 and 1 rows), so
 * that a batch of any size takes a handful of round trips and each connection prepares at most five
 * statements per table.
 */
export class BulkInsert<Row> {
  readonly #head: string;
  readonly #tail: string;
  readonly #columns: number;
  readonly #values: (row: Row) => readonly SqlValue[];
  readonly #sql = new Map<number, string>();

  /** `tail` follows the VALUES list, e.g. an ON DUPLICATE KEY UPDATE clause. */
  constructor(head: string, columns: number, values: (row: Row) => readonly SqlValue[], tail = '') {
    this.#head = head;
    this.#tail = tail;
    this.#columns = columns;
    this.#values = values;
  }

  async run(connection: PoolConnection, rows: readonly Row[]): Promise<void> {
    let at = 0;
    for (const size of CHUNKS) {
      while (rows.length - at >= size) {
        const params: SqlValue[] = [];
        for (let i = at; i < at + size; i++) {
          const values = this.#values(rows[i]!);
          if (values.length !== this.#columns) {
            throw new Error(`a row has ${values.length} values for ${this.#columns} columns: ${this.#head}`);
          }
          for (const v of values) params.push(v);
        }
        await connection.execute(this.#statement(size), params);
        at += size;
      }
    }
  }

  #statement(rows: number): string {
    let sql = this.#sql.get(rows);
    if (sql === undefined) {
      const row = `(${Array.from({ length: this.#columns }, () => '?').join(', ')})`;
      sql = `${this.#head} VALUES ${Array.from({ length: rows }, () => row).join(', ')} ${this.#tail}`;
      this.#sql.set(rows, sql);
    }
    return sql;
  }
}
