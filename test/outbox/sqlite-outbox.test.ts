import { describe } from '@jest/globals';
import { sqliteEnv } from './db-envs.js';
import { outboxScenarios } from './outbox-scenarios.js';

describe('outbox on SQLite (libsql), through the embedded broker', () => {
  outboxScenarios(sqliteEnv);
});
