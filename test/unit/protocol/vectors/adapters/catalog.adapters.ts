import type { AdapterTable } from '../vector-adapter.js';

/** Vector `command` name → adapter. */
export const catalogAdapters: AdapterTable = {};
