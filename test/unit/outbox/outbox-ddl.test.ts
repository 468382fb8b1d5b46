import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import Database from 'libsql';
import { outboxDdl, outboxTableName } from '../../../lib/outbox/outbox-ddl.js';
import { ensureBuilt, repoRoot } from '../../support/build-once.js';

describe('outbox DDL', () => {
  it('accepts plain and schema-qualified table names only', () => {
    expect(outboxTableName()).toEqual({ qualified: 'nestjs_iggy_outbox', base: 'nestjs_iggy_outbox' });
    expect(outboxTableName('app.outbox')).toEqual({ qualified: 'app.outbox', base: 'outbox' });
    for (const bad of ['', 'a.b.c', 'drop table x', 'x;--', '1abc', 'a-b']) {
      expect(() => outboxTableName(bad)).toThrow(expect.objectContaining({ kind: 'Config' }));
    }
  });

  it('PostgreSQL: table, partial indexes and the NOTIFY trigger, with every documented column', () => {
    const ddl = outboxDdl('postgres', 'app.outbox').join(';\n');
    for (const column of [
      'seq',
      'id',
      'tenant',
      'actor',
      'type',
      'version',
      'occurred_at',
      'headers',
      'payload',
      'stream',
      'topic',
      'partition_key',
      'created_at',
      'published_at',
      'attempts',
      'last_error',
      'status',
    ]) {
      expect(ddl).toMatch(new RegExp(`\\n  ${column} `));
    }
    expect(ddl).toContain('CREATE INDEX IF NOT EXISTS outbox_pending ON app.outbox (seq) WHERE status = 0');
    expect(ddl).toContain("PERFORM pg_notify('outbox', '')");
    expect(ddl).toContain(
      'CREATE TRIGGER outbox_notify AFTER INSERT ON app.outbox FOR EACH STATEMENT\n  WHEN (NOT pg_try_advisory_xact_lock_shared(',
    );
  });

  it('SQLite: runs, and runs again (idempotent)', () => {
    const db = new Database(':memory:');
    for (let i = 0; i < 2; i++) for (const statement of outboxDdl('sqlite')) db.exec(statement);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    expect(tables).toEqual([{ name: 'nestjs_iggy_outbox' }, { name: 'nestjs_iggy_outbox_lease' }]);
    expect(db.prepare('SELECT count(*) AS n FROM nestjs_iggy_outbox_lease').all()).toEqual([{ n: 1 }]);
    db.close();
  });

  it('refuses a dialect it does not know', () => {
    expect(() => outboxDdl('mysql' as never)).toThrow(expect.objectContaining({ kind: 'Config' }));
  });

  it("the README's one-liner prints the DDL through the package entry ('nestjs-iggy' = dist)", async () => {
    await ensureBuilt();
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const commands = readme.split('\n').filter((line) => line.startsWith('node --input-type=module -e'));
    expect(commands).toHaveLength(1);
    const printed = execSync(commands[0]!, { cwd: repoRoot, encoding: 'utf8' });
    expect(printed).toContain('CREATE TABLE IF NOT EXISTS nestjs_iggy_outbox (');
    expect(printed.trim()).toBe(
      outboxDdl('postgres')
        .map((statement) => `${statement};`)
        .join('\n'),
    );
  }, 180_000);
});
