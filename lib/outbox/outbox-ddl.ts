import { createHash } from 'node:crypto';
import { OutboxError } from './outbox-error.js';

/** The built-in stores' SQL dialects. */
export type OutboxDialect = 'postgres' | 'sqlite';

/** Default table name. */
export const DEFAULT_OUTBOX_TABLE = 'nestjs_iggy_outbox';

/** Row states: `status` column values. */
export const OutboxStatus = { pending: 0, published: 1, dead: 2 } as const;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Checks a table name (`name` or `schema.name`, plain identifiers) and returns its parts. */
export function outboxTableName(table: string = DEFAULT_OUTBOX_TABLE): { qualified: string; base: string } {
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENT.test(p))) {
    throw new OutboxError(
      'Config',
      `outbox table must be 'name' or 'schema.name' of letters, digits and _, got '${table}'`,
    );
  }
  return { qualified: table, base: parts[parts.length - 1] as string };
}

/**
 * The outbox DDL for your own migrations (`ensureSchema()` runs the same statements). Rows are read in
 * `seq` order; `status` is 0 pending, 1 published, 2 dead (moved aside). `occurred_at` is text so the
 * envelope's timestamp travels exactly as written; `created_at` is when the row was written.
 */
export function outboxDdl(dialect: OutboxDialect, table?: string): string[] {
  const { qualified: t, base } = outboxTableName(table);
  if (dialect === 'postgres') {
    return [
      `CREATE TABLE IF NOT EXISTS ${t} (
  seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id             uuid NOT NULL UNIQUE,
  tenant         text NOT NULL,
  actor          text,
  type           text NOT NULL,
  version        bigint NOT NULL,
  occurred_at    text NOT NULL,
  correlation_id text,
  causation_id   text,
  headers        text NOT NULL DEFAULT '{}',
  content_type   text NOT NULL,
  payload        bytea NOT NULL,
  stream         text,
  topic          text,
  partition_key  text NOT NULL,
  status         smallint NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  published_at   timestamptz,
  attempts       integer NOT NULL DEFAULT 0,
  last_error     text
)`,
      `CREATE INDEX IF NOT EXISTS ${base}_pending ON ${t} (seq) WHERE status = 0`,
      `CREATE INDEX IF NOT EXISTS ${base}_published ON ${t} (published_at) WHERE status = 1`,
      `CREATE INDEX IF NOT EXISTS ${base}_dead ON ${t} (seq) WHERE status = 2`,
      ...notifyTriggerDdl(t, base),
    ];
  }
  if (dialect === 'sqlite') {
    return [
      `CREATE TABLE IF NOT EXISTS ${t} (
  seq            INTEGER PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,
  tenant         TEXT NOT NULL,
  actor          TEXT,
  type           TEXT NOT NULL,
  version        INTEGER NOT NULL,
  occurred_at    TEXT NOT NULL,
  correlation_id TEXT,
  causation_id   TEXT,
  headers        TEXT NOT NULL DEFAULT '{}',
  content_type   TEXT NOT NULL,
  payload        BLOB NOT NULL,
  stream         TEXT,
  topic          TEXT,
  partition_key  TEXT NOT NULL,
  status         INTEGER NOT NULL DEFAULT 0,
  created_at     INTEGER NOT NULL,
  published_at   INTEGER,
  attempts       INTEGER NOT NULL DEFAULT 0,
  last_error     TEXT
)`,
      `CREATE INDEX IF NOT EXISTS ${base}_pending ON ${t} (seq) WHERE status = 0`,
      `CREATE INDEX IF NOT EXISTS ${base}_published ON ${t} (published_at) WHERE status = 1`,
      `CREATE INDEX IF NOT EXISTS ${base}_dead ON ${t} (seq) WHERE status = 2`,
      `CREATE TABLE IF NOT EXISTS ${t}_lease (
  name       TEXT PRIMARY KEY,
  owner      TEXT,
  expires_at INTEGER NOT NULL
)`,
      `INSERT OR IGNORE INTO ${t}_lease (name, owner, expires_at) VALUES ('relay', NULL, 0)`,
    ];
  }
  throw new OutboxError('Config', `no built-in outbox DDL for dialect '${String(dialect)}'`);
}

/**
 * Advisory lock keys (signed 64-bit, as text) of a PostgreSQL outbox table: `relay` is held by the relay
 * working the outbox, `idle` by a relay asleep until notified, `schema` while the DDL runs.
 */
export function outboxLockKeys(table: string): { relay: string; idle: string; schema: string } {
  const key = (role: string): string =>
    createHash('sha256').update(`nestjs-iggy:outbox-${role}:${table}`).digest().readBigInt64BE(0).toString();
  return { relay: key('relay'), idle: key('idle'), schema: key('schema') };
}

/**
 * A statement-level trigger that wakes a sleeping relay (NOTIFY, delivered at commit only) whoever
 * inserts: this library or your own store. PostgreSQL serializes the commits of transactions that
 * NOTIFY, so it notifies only while a relay sleeps holding the `idle` lock; a busy relay polls.
 */
function notifyTriggerDdl(t: string, base: string): string[] {
  const schema = t.includes('.') ? `${t.slice(0, t.indexOf('.'))}.` : '';
  const fn = `${schema}${base}_notify`;
  return [
    `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('${base}', '');
  RETURN NULL;
END
$$`,
    `DROP TRIGGER IF EXISTS ${base}_notify ON ${t}`,
    `CREATE TRIGGER ${base}_notify AFTER INSERT ON ${t} FOR EACH STATEMENT
  WHEN (NOT pg_try_advisory_xact_lock_shared(${outboxLockKeys(t).idle})) EXECUTE FUNCTION ${fn}()`,
  ];
}
