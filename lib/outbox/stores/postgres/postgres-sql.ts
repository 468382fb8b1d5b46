import { outboxDdl, outboxLockKeys, outboxTableName } from '../../outbox-ddl.js';
import { OUTBOX_INSERT_COLUMNS as COLUMNS } from '../../outbox-record.js';

/** The SQL of the PostgreSQL outbox for one table; `$n` parameters. */
export interface PostgresOutboxSql {
  table: string;
  /** LISTEN/NOTIFY channel: the table's base name. */
  channel: string;
  /** Advisory lock keys (see `outboxLockKeys`). */
  locks: { relay: string; idle: string; schema: string };
  ddl: string[];
  insert: string;
  /** Is anything pending? One cheap read before a claim transaction. */
  peek: string;
  tryLock: string;
  claim: string;
  markPublished: string;
  recordFailure: string;
  markDead: string;
  purge: string;
  lag: string;
}

/** What the claim selects, named as `PendingRow`'s fields. */
const PENDING_FIELDS = `o.seq, o.id::text AS id, o.tenant, o.actor, o.type, o.version,
  o.occurred_at AS "occurredAt", o.correlation_id AS "correlationId", o.causation_id AS "causationId",
  o.headers, o.content_type AS "contentType", o.payload, o.stream, o.topic,
  o.partition_key AS "partitionKey", o.attempts, o.created_at AS "createdAt"`;

export function postgresOutboxSql(tableName?: string): PostgresOutboxSql {
  const { qualified: t, base } = outboxTableName(tableName);
  const placeholders = COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
  return {
    table: t,
    channel: base,
    locks: outboxLockKeys(t),
    ddl: outboxDdl('postgres', t),
    insert: `INSERT INTO ${t} (${COLUMNS.join(', ')}) VALUES (${placeholders})`,
    // The relay lock is held until the claiming transaction ends. It is taken in a statement of its own:
    // the claim that follows must read with a snapshot taken after the lock was granted, else it could
    // miss what the previous holder marked just before releasing it (and publish those rows again).
    peek: `SELECT EXISTS (SELECT 1 FROM ${t} WHERE status = 0) AS pending`,
    // Marks need no flush to disk before the relay goes on: one lost in a crash only means the rows
    // are published again (at-least-once), so the claiming transaction commits asynchronously.
    tryLock: `SELECT pg_try_advisory_xact_lock($1::bigint) AS granted,
  set_config('synchronous_commit', 'off', true) AS sync`,
    claim: `SELECT ${PENDING_FIELDS} FROM ${t} o WHERE status = 0 ORDER BY seq LIMIT $1`,
    markPublished: `UPDATE ${t} SET status = 1, published_at = now() WHERE id = ANY($1::uuid[])`,
    recordFailure: `UPDATE ${t} SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::uuid[])`,
    markDead: `UPDATE ${t} AS o SET status = 2, attempts = o.attempts + 1, last_error = d.error
FROM unnest($1::uuid[], $2::text[]) AS d(id, error) WHERE o.id = d.id`,
    purge: `WITH gone AS (
  DELETE FROM ${t} WHERE seq IN (
    SELECT seq FROM ${t} WHERE status = 1 AND published_at < $1 ORDER BY published_at LIMIT $2
  ) RETURNING 1
) SELECT count(*)::int AS n FROM gone`,
    lag: `SELECT
  (SELECT count(*) FROM ${t} WHERE status = 0)::bigint AS pending,
  (SELECT extract(epoch FROM (clock_timestamp() - min(created_at))) * 1000 FROM ${t} WHERE status = 0)
    AS "ageMs",
  (SELECT count(*) FROM ${t} WHERE status = 2)::bigint AS dead`,
  };
}
