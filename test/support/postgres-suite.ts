import { describe, it } from '@jest/globals';
import { findPostgresBin } from './postgres.js';

/**
 * `describe` for suites that need a real PostgreSQL: when none is installed they fail in CI
 * (`CI=true`) and are skipped locally, with a message saying why.
 */
export function describeWithPostgres(name: string, body: () => void): void {
  if (findPostgresBin()) {
    describe(name, body);
    return;
  }
  const why = 'PostgreSQL is not installed (no initdb/pg_ctl under /usr/lib/postgresql/*/bin or on PATH)';
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs PostgreSQL', () => {
        throw new Error(`${why}: .ci/run installs it with apt-get install -y postgresql`);
      });
    });
    return;
  }
  console.warn(`skipping '${name}': ${why}`);
  describe.skip(name, body);
}
