import { OutboxError } from '../../outbox-error.js';
import type { ClaimedBatch, OutboxLag, OutboxRecord, OutboxStore, OutboxWatch } from '../../outbox-store.js';
import { pgClientSession, type PgPoolClientLike } from '../postgres/pg-outbox-store.js';
import { PostgresOutboxCore, type PgSessionSource } from '../postgres/postgres-outbox-core.js';
import { recordValues } from '../../outbox-record.js';
import { SqliteOutboxStore, type SqliteDatabaseLike } from '../sqlite/sqlite-outbox-store.js';

/** What the store needs of a TypeORM `QueryRunner`. */
export interface TypeOrmQueryRunnerLike {
  query(sql: string, params?: unknown[]): Promise<unknown>;
  readonly isTransactionActive: boolean;
  connect(): Promise<unknown>;
  release(): Promise<void>;
}

/** What the store needs of a TypeORM `EntityManager`. */
export interface TypeOrmEntityManagerLike {
  query(sql: string, params?: unknown[]): Promise<unknown>;
  readonly queryRunner?: TypeOrmQueryRunnerLike;
}

/** What the store needs of a TypeORM `DataSource` (initialized). */
export interface TypeOrmDataSourceLike {
  readonly options: { readonly type: string };
  readonly driver: unknown;
  createQueryRunner(mode?: 'master' | 'slave'): TypeOrmQueryRunnerLike;
}

/** The caller's transaction: the `EntityManager` of `dataSource.transaction(...)`, or a `QueryRunner`. */
export type TypeOrmTxn = TypeOrmEntityManagerLike | TypeOrmQueryRunnerLike;

export interface TypeOrmOutboxStoreOptions {
  dataSource: TypeOrmDataSourceLike;
  /** Default `nestjs_iggy_outbox`. */
  table?: string;
  /** PostgreSQL: LISTEN for inserts (default true; holds one pooled connection). */
  listen?: boolean;
  /** SQLite: the relay lease (see `SqliteOutboxStoreOptions.leaseMs`). */
  leaseMs?: number;
}

const POSTGRES_TYPES = new Set(['postgres', 'aurora-postgres']);
const SQLITE_TYPES = new Set(['better-sqlite3', 'sqlite']);

/**
 * The outbox through TypeORM, on PostgreSQL (`type: 'postgres'`) or SQLite (`type: 'better-sqlite3'`,
 * with `driver: require('libsql')` or better-sqlite3 itself). Rows are written through your
 * transaction's `EntityManager` / `QueryRunner`; the relay side is the `pg` or SQLite store's, on the
 * data source's own connections.
 */
export class TypeOrmOutboxStore implements OutboxStore<TypeOrmTxn> {
  readonly dialect: 'postgres' | 'sqlite';
  private readonly pg: PostgresOutboxCore | undefined;
  private readonly sqlite: SqliteOutboxStore | undefined;
  private readonly insertSql: string;
  private readonly listen: boolean;

  constructor(options: TypeOrmOutboxStoreOptions) {
    const type = options.dataSource.options.type;
    this.listen = options.listen ?? true;
    if (POSTGRES_TYPES.has(type)) {
      this.dialect = 'postgres';
      this.pg = new PostgresOutboxCore(typeOrmSessions(options.dataSource), options.table);
      this.insertSql = this.pg.sql.insert;
    } else if (SQLITE_TYPES.has(type)) {
      this.dialect = 'sqlite';
      const database = (options.dataSource.driver as { databaseConnection?: SqliteDatabaseLike })
        .databaseConnection;
      if (!database)
        throw new OutboxError('Config', 'initialize the TypeORM DataSource before the outbox store');
      this.sqlite = new SqliteOutboxStore({ database, table: options.table, leaseMs: options.leaseMs });
      this.insertSql = this.sqlite.insertSql;
    } else {
      throw new OutboxError(
        'Config',
        `no TypeORM outbox store for database type '${type}' (postgres, better-sqlite3)`,
      );
    }
  }

  ensureSchema(): Promise<void> {
    return this.pg ? this.pg.ensureSchema() : this.sqliteStore.ensureSchema();
  }

  async insert(txn: TypeOrmTxn, record: OutboxRecord): Promise<void> {
    const runner = 'isTransactionActive' in txn ? txn : txn.queryRunner;
    if (!runner?.isTransactionActive) {
      throw new OutboxError('NotInTransaction', 'publishInTx needs the EntityManager of a transaction', {
        eventId: record.id,
      });
    }
    const params = this.pg ? recordValues(record) : [...recordValues(record), Date.now()];
    await txn.query(this.insertSql, params);
  }

  claim(limit: number): Promise<ClaimedBatch | null> {
    return this.pg ? this.pg.claim(limit) : this.sqliteStore.claim(limit);
  }

  purge(before: Date, limit: number): Promise<number> {
    return this.pg ? this.pg.purge(before, limit) : this.sqliteStore.purge(before, limit);
  }

  lag(): Promise<OutboxLag> {
    return this.pg ? this.pg.lag() : this.sqliteStore.lag();
  }

  get watch(): ((onChange: () => void) => Promise<OutboxWatch>) | undefined {
    const pg = this.pg;
    return pg && this.listen ? (onChange) => pg.watch(onChange) : undefined;
  }

  async close(): Promise<void> {
    await this.sqlite?.close();
  }

  private get sqliteStore(): SqliteOutboxStore {
    return this.sqlite as SqliteOutboxStore;
  }
}

/** Sessions on query runners of a TypeORM data source (PostgreSQL). */
function typeOrmSessions(dataSource: TypeOrmDataSourceLike): PgSessionSource {
  return {
    async acquire() {
      const runner = dataSource.createQueryRunner('master');
      const client = (await runner.connect()) as PgPoolClientLike;
      return pgClientSession(client, () => void runner.release().catch(() => undefined));
    },
  };
}
