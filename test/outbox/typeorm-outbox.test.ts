import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TransactionalEventBus } from '../../lib/outbox/transactional-event-bus.js';
import { startPostgres, type PostgresCluster } from '../support/postgres.js';
import { describeWithPostgres } from '../support/postgres-suite.js';
import { typeOrmEnv } from './db-envs.js';
import { outboxScenarios } from './outbox-scenarios.js';

describeWithPostgres('outbox through TypeORM on PostgreSQL (EntityManager of a transaction)', () => {
  let cluster: PostgresCluster;
  let n = 0;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  outboxScenarios(async () => typeOrmEnv(await cluster.createDatabase(`typeorm_${++n}`)));
});

describe('outbox through TypeORM on SQLite (better-sqlite3 driver type, libsql)', () => {
  outboxScenarios(() => typeOrmEnv());
});

describe('TypeORM transaction handles', () => {
  it('takes a QueryRunner inside a transaction; refuses a manager outside one', async () => {
    const env = await typeOrmEnv();
    try {
      const { dataSource } = env;
      const bus = new TransactionalEventBus(env.store);
      const runner = dataSource.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      const e = await bus.publishInTx(runner, 'acme', null, { type: 'e', payload: 1 });
      await runner.commitTransaction();
      await runner.release();
      expect((await env.row(e.id))?.status).toBe(0);
      await expect(
        bus.publishInTx(dataSource.manager, 'acme', null, { type: 'e', payload: 1 }),
      ).rejects.toMatchObject({
        kind: 'NotInTransaction',
      });
    } finally {
      await env.close();
    }
  });
});
