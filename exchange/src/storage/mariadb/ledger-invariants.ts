import type { Pool } from 'mysql2/promise';

/** Reports at most this many violations of each kind; one is enough to halt, a few help to diagnose. */
const MAX_REPORTED = 20;

/**
 * The ledger's invariants: every transaction (seq, asset) sums to zero, and the balances the engine
 * reported equal those recomputed from postings, for every user and asset that has either.
 */
export async function ledgerViolations(pool: Pool): Promise<string[]> {
  const violations: string[] = [];
  const [unbalanced] = await pool.query(
    `SELECT seq, asset, sum(amount) AS total FROM postings GROUP BY seq, asset HAVING total <> 0
     ORDER BY seq, asset LIMIT ${MAX_REPORTED}`,
  );
  for (const r of unbalanced as { seq: number; asset: string; total: number }[]) {
    violations.push(`postings of seq ${r.seq} in ${r.asset} sum to ${r.total}, not 0`);
  }
  const [mismatched] = await pool.query(
    `WITH recomputed AS (
       SELECT user_id, asset,
         coalesce(sum(CASE WHEN account = 'available' THEN amount END), 0) AS available,
         coalesce(sum(CASE WHEN account = 'locked' THEN amount END), 0) AS locked
       FROM postings WHERE account <> 'external' GROUP BY user_id, asset
     ),
     \`keys\` AS (SELECT user_id, asset FROM recomputed UNION SELECT user_id, asset FROM balances)
     SELECT k.user_id AS userId, k.asset,
       coalesce(b.available, 0) AS reportedAvailable, coalesce(b.locked, 0) AS reportedLocked,
       coalesce(r.available, 0) AS available, coalesce(r.locked, 0) AS locked
     FROM \`keys\` k
     LEFT JOIN balances b ON b.user_id = k.user_id AND b.asset = k.asset
     LEFT JOIN recomputed r ON r.user_id = k.user_id AND r.asset = k.asset
     WHERE coalesce(b.available, 0) <> coalesce(r.available, 0) OR coalesce(b.locked, 0) <> coalesce(r.locked, 0)
     ORDER BY k.user_id, k.asset LIMIT ${MAX_REPORTED}`,
  );
  for (const r of mismatched as Record<string, number | string>[]) {
    violations.push(
      `user ${r.userId} ${r.asset}: reported ${r.reportedAvailable}/${r.reportedLocked} (available/locked), ` +
        `postings give ${r.available}/${r.locked}`,
    );
  }
  return violations;
}
