import { errorCodeOf } from './connector-error-mapping.js';

/**
 * Create-if-missing for streams, topics and consumer groups, on either transport: nothing happens when
 * `exists` says so; otherwise `create` runs, and losing a race to another creator (the server answers
 * `alreadyExistsCode`, e.g. StreamNameAlreadyExists) counts as success.
 */
export async function createIfMissing(
  exists: () => Promise<boolean> | boolean,
  create: () => Promise<unknown>,
  alreadyExistsCode: number,
): Promise<void> {
  if (await exists()) return;
  try {
    await create();
  } catch (err) {
    if (errorCodeOf(err) !== alreadyExistsCode) throw err;
  }
}
