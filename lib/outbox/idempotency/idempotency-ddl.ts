import { IdempotencyStoreError } from '../../consumer/idempotency/idempotency-store-error.js';

/** Default table of the durable idempotency stores. */
export const DEFAULT_HANDLED_TABLE = 'nestjs_iggy_handled';

/** Entries older than this are pruned by default (7 days). */
export const DEFAULT_HANDLED_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** The SQL dialects of the built-in durable stores. */
export type IdempotencyDialect = 'postgres' | 'sqlite';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Checks a table name (`name` or `schema.name`, plain identifiers) and returns it with its last part. */
export function handledTableName(table: string = DEFAULT_HANDLED_TABLE): { qualified: string; base: string } {
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENT.test(p))) {
    throw new IdempotencyStoreError(
      `idempotency table must be 'name' or 'schema.name' of letters, digits and _, got '${table}'`,
    );
  }
  return { qualified: table, base: parts[parts.length - 1]! };
}

/**
 * The handled-ids table for your own migrations (`ensureSchema()` runs the same statements): one row
 * per (group, envelope id), `handled_at` (ms since the epoch on SQLite) for pruning.
 */
export function handledTableDdl(dialect: IdempotencyDialect, table?: string): string[] {
  const { qualified: t, base } = handledTableName(table);
  const [text, time] = dialect === 'postgres' ? ['text', 'timestamptz'] : ['TEXT', 'INTEGER'];
  if (dialect !== 'postgres' && dialect !== 'sqlite') {
    throw new IdempotencyStoreError(`no built-in idempotency DDL for dialect '${String(dialect)}'`);
  }
  return [
    `CREATE TABLE IF NOT EXISTS ${t} (
  group_name ${text} NOT NULL,
  event_id   ${text} NOT NULL,
  handled_at ${time} NOT NULL,
  PRIMARY KEY (group_name, event_id)
)`,
    `CREATE INDEX IF NOT EXISTS ${base}_handled_at ON ${t} (handled_at)`,
  ];
}
