import type { ClaimedBatch, OutboxRecord, OutboxStore } from '../../lib/index.js';

/**
 * TEST HOOK (`SAMPLE_TEST_CRASH_BEFORE_MARK=1`, off by default): the outbox store as given, except that
 * the first batch the relay settles as published kills the process (SIGKILL) instead: the events are in
 * Iggy, their rows still pending. The next run publishes them again, with the same envelope ids.
 */
export function crashBeforeMark(store: OutboxStore<never>): OutboxStore<never> {
  const watch = store.watch;
  const insertSync = store.insertSync;
  const close = store.close;
  return {
    dialect: store.dialect,
    ensureSchema: () => store.ensureSchema(),
    insert: (txn, record) => store.insert(txn, record),
    ...(insertSync && {
      insertSync: (txn: never, record: OutboxRecord) => insertSync.call(store, txn, record),
    }),
    purge: (before, limit) => store.purge(before, limit),
    lag: () => store.lag(),
    ...(watch && { watch: (onChange: () => void) => watch.call(store, onChange) }),
    ...(close && { close: () => close.call(store) }),
    async claim(limit: number): Promise<ClaimedBatch | null> {
      const batch = await store.claim(limit);
      if (!batch) return batch;
      return {
        rows: batch.rows,
        abandon: () => batch.abandon(),
        settle: async (outcome) => {
          if (outcome.published.length > 0) {
            process.stdout.write(
              `TEST HOOK: killing the process after publishing ${outcome.published.length} outbox event(s), before marking them\n`,
            );
            process.kill(process.pid, 'SIGKILL');
            await new Promise(() => undefined); // the signal is on its way
          }
          return batch.settle(outcome);
        },
      };
    },
  };
}
