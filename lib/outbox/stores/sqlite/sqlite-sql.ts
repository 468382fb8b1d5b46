import { OUTBOX_INSERT_COLUMNS } from '../../outbox-record.js';

/** The SQL of the SQLite outbox for one table; `?` parameters. */
export interface SqliteOutboxSql {
  insert: string;
  takeLease: string;
  releaseLease: string;
  renewLease: string;
  claim: string;
  markPublished: string;
  recordFailure: string;
  markDead: string;
  purge: string;
  lag: string;
}

export function sqliteOutboxSql(t: string): SqliteOutboxSql {
  return {
    insert: `INSERT INTO ${t} (${OUTBOX_INSERT_COLUMNS.join(', ')}, created_at)
VALUES (${OUTBOX_INSERT_COLUMNS.map(() => '?').join(', ')}, ?)`,
    // Taken when free, lapsed, or already ours: (owner, until, owner, now).
    takeLease: `UPDATE ${t}_lease SET owner = ?, expires_at = ?
WHERE name = 'relay' AND (owner IS NULL OR owner = ? OR expires_at < ?)`,
    // Still ours (nobody took it since, even if it lapsed): (until, owner).
    renewLease: `UPDATE ${t}_lease SET expires_at = ? WHERE name = 'relay' AND owner = ?`,
    releaseLease: `UPDATE ${t}_lease SET owner = NULL, expires_at = 0 WHERE name = 'relay' AND owner = ?`,
    claim: `SELECT seq, id, tenant, actor, type, version, occurred_at AS occurredAt,
  correlation_id AS correlationId, causation_id AS causationId, headers, content_type AS contentType,
  payload, stream, topic, partition_key AS partitionKey, attempts, created_at AS createdAt
FROM ${t} WHERE status = 0 ORDER BY seq LIMIT ?`,
    markPublished: `UPDATE ${t} SET status = 1, published_at = ?
WHERE status = 0 AND id IN (SELECT value FROM json_each(?))`,
    recordFailure: `UPDATE ${t} SET attempts = attempts + 1, last_error = ?
WHERE status = 0 AND id IN (SELECT value FROM json_each(?))`,
    markDead: `UPDATE ${t} SET status = 2, attempts = attempts + 1, last_error = ? WHERE id = ?`,
    purge: `DELETE FROM ${t} WHERE seq IN (
  SELECT seq FROM ${t} WHERE status = 1 AND published_at < ? ORDER BY published_at LIMIT ?
)`,
    lag: `SELECT (SELECT count(*) FROM ${t} WHERE status = 0) AS pending,
  (SELECT min(created_at) FROM ${t} WHERE status = 0) AS oldest,
  (SELECT count(*) FROM ${t} WHERE status = 2) AS dead`,
  };
}
