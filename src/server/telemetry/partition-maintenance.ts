import type pg from "pg";

/** The range-partitioned telemetry tables (partitions made by ecomate_ensure_partitions). */
export type TelemetryTable = "telemetry_reading" | "telemetry_compact" | "telemetry_rollup_1m" | "telemetry_rollup_1h";

export interface Partition {
  name: string;
  /** inclusive */
  from: Date;
  /** exclusive */
  to: Date;
}

type Queryable = Pick<pg.ClientBase, "query">;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The partitions of a telemetry table with their bounds, oldest first. */
export async function listPartitions(q: Queryable, table: TelemetryTable): Promise<Partition[]> {
  // The bound is printed with the session's time zone offset and read back in the same statement: exact.
  const { rows } = await q.query<{ name: string; from: Date; to: Date }>(
    `SELECT c.relname AS name, b[1]::timestamptz AS "from", b[2]::timestamptz AS "to"
       FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\) TO \\(''([^'']+)''\\)') AS b
      WHERE i.inhparent = to_regclass($1)
      ORDER BY 2`,
    [table],
  );
  return rows;
}

/**
 * Runs `fn` on a client of its own. A connection that dies while checked out (server restart,
 * pg_terminate_backend) emits 'error' on the client, which would crash the process without a listener;
 * here the failed query rejects instead, and a client that saw an error is destroyed, not pooled.
 */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  const onError = (err: Error) => {
    failure = err;
  };
  client.on("error", onError);
  try {
    return await fn(client);
  } catch (err) {
    failure ??= err as Error;
    throw err;
  } finally {
    client.off("error", onError);
    client.release(failure);
  }
}

export const isLockTimeout = (err: unknown) => (err as { code?: string }).code === "55P03";

/**
 * Drops one partition, in a short transaction of its own. Dropping a partition takes ACCESS EXCLUSIVE on
 * the parent, so this waits at most `lockTimeoutMs` for running statements on the table (and queues
 * new ones meanwhile); on timeout it gives up and returns false, to be retried on the next run.
 * With `onlyIfEmpty` it keeps a partition that holds a row (checked under the lock; meant for truncated
 * partitions, where the check reads nothing). The store recreates a dropped partition on demand (it
 * calls ecomate_ensure_partitions on SQLSTATE 23514).
 */
export async function dropPartition(
  client: pg.ClientBase,
  table: TelemetryTable,
  partition: string,
  opts: { onlyIfEmpty?: boolean; lockTimeoutMs?: number } = {},
): Promise<boolean> {
  await client.query("BEGIN");
  try {
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(opts.lockTimeoutMs ?? 1000))}`);
    // Parent first, then the partition: the order every writer takes them in, so no deadlock.
    await client.query(`LOCK TABLE ONLY ${quoteIdent(table)} IN ACCESS EXCLUSIVE MODE`);
    const found = await client.query<{ part: string | null }>(
      `SELECT c.relname AS part FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = to_regclass($1) AND c.relname = $2`,
      [table, partition],
    );
    if (!found.rows[0]) {
      await client.query("ROLLBACK");
      return false;
    }
    if (opts.onlyIfEmpty) {
      const rows = await client.query(`SELECT 1 FROM ${quoteIdent(partition)} LIMIT 1`);
      if (rows.rowCount) {
        await client.query("ROLLBACK");
        return false;
      }
    }
    await client.query(`DROP TABLE ${quoteIdent(partition)}`);
    await client.query("COMMIT");
    return true;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    if (isLockTimeout(err)) return false;
    throw err;
  }
}
