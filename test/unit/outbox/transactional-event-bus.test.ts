import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'libsql';
import { MsgpackSerializer } from '../../../lib/events/msgpack-serializer.js';
import type { OutboxRecord, OutboxStore } from '../../../lib/outbox/outbox-store.js';
import { SqliteOutboxStore } from '../../../lib/outbox/stores/sqlite/sqlite-outbox-store.js';
import { TransactionalEventBus } from '../../../lib/outbox/transactional-event-bus.js';

describe('TransactionalEventBus', () => {
  let db: InstanceType<typeof Database>;
  let store: SqliteOutboxStore;
  let bus: TransactionalEventBus<InstanceType<typeof Database>>;
  const count = () =>
    (db.prepare('SELECT count(*) AS n FROM nestjs_iggy_outbox').all()[0] as { n: number }).n;

  beforeEach(async () => {
    db = new Database(':memory:');
    store = new SqliteOutboxStore({ database: db });
    await store.ensureSchema();
    bus = new TransactionalEventBus(store);
  });
  afterEach(() => {
    db.close();
  });

  it('publishInTxSync works inside db.transaction(fn) and rolls back with it', () => {
    const write = db.transaction((fail: boolean) => {
      const e = bus.publishInTxSync(db, 'acme', null, { type: 'e', payload: { a: 1 } });
      if (fail) throw new Error('no');
      return e;
    });
    const envelope = write(false);
    expect(envelope).toMatchObject({ tenantId: 'acme', type: 'e', headers: {} });
    expect(envelope.actorId).toBeUndefined();
    expect(() => write(true)).toThrow('no');
    expect(count()).toBe(1);
  });

  it('refuses to write outside a transaction where the store can tell', async () => {
    await expect(bus.publishInTx(db, 'acme', null, { type: 'e', payload: 1 })).rejects.toMatchObject({
      kind: 'NotInTransaction',
    });
    expect(count()).toBe(0);
  });

  it('throws synchronously from publishInTxSync, before writing, for a bad event', () => {
    db.exec('BEGIN');
    expect(() => bus.publishInTxSync(db, 'acme', null, { type: 'e', payload: { n: 1n } })).toThrow(
      expect.objectContaining({ kind: 'Serialize' }),
    );
    expect(() => bus.publishInTxSync(db, 'acme', null, { type: '', payload: 1 })).toThrow(
      expect.objectContaining({ kind: 'InvalidEvent' }),
    );
    expect(() =>
      bus.publishInTxSync(db, 'acme', null, { type: 'e', payload: 1, target: { stream: 's', topic: '' } }),
    ).toThrow(expect.objectContaining({ kind: 'InvalidEvent' }));
    db.exec('COMMIT');
    expect(count()).toBe(0);
  });

  it('keeps the envelope fields given, lower-cases the id, uses the serializer and target given', async () => {
    const packed = new TransactionalEventBus(store, {
      serializer: new MsgpackSerializer(),
      target: { stream: 'app', topic: 'domain' },
    });
    const seen: OutboxRecord[] = [];
    const off = packed.onWritten((r) => seen.push(r));
    const id = '0190B2A4-0000-7000-8000-000000000001';
    db.exec('BEGIN');
    const e = await packed.publishInTx(db, 't', 'u', {
      id,
      type: 'e',
      version: 3,
      occurredAt: '2025-01-01T00:00:00+02:00',
      causedBy: { id: '0190b2a4-0000-7000-8000-000000000000' },
      headers: { k: 'v' },
      payload: { when: new Date(0) },
    });
    db.exec('COMMIT');
    off();
    expect(e).toMatchObject({
      id: id.toLowerCase(),
      version: 3,
      occurredAt: '2025-01-01T00:00:00+02:00',
      causationId: '0190b2a4-0000-7000-8000-000000000000',
      correlationId: '0190b2a4-0000-7000-8000-000000000000',
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      contentType: 'application/msgpack',
      stream: 'app',
      topic: 'domain',
      actor: 'u',
    });
    const row = db
      .prepare('SELECT stream, topic, content_type AS ct, version FROM nestjs_iggy_outbox')
      .all()[0];
    expect(row).toEqual({ stream: 'app', topic: 'domain', ct: 'application/msgpack', version: 3 });
  });

  it('a database error is a Store error; a store without insertSync cannot publish synchronously', async () => {
    const failing: OutboxStore<unknown> = {
      dialect: 'test',
      ensureSchema: async () => undefined,
      insert: async () => {
        throw new Error('disk full');
      },
      claim: async () => null,
      purge: async () => 0,
      lag: async () => ({ pending: 0, oldestPendingAgeMs: null, dead: 0 }),
    };
    const b = new TransactionalEventBus(failing);
    await expect(b.publishInTx({}, 't', null, { type: 'e', payload: 1 })).rejects.toMatchObject({
      kind: 'Store',
      message: expect.stringContaining('disk full'),
    });
    expect(() => b.publishInTxSync({}, 't', null, { type: 'e', payload: 1 })).toThrow(
      expect.objectContaining({ kind: 'Config' }),
    );
  });
});
