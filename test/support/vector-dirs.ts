import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The byte vectors recorded from the official SDK, kept in the repository so every clone checks the codecs. */
export const vectorsDir = resolve(here, '../fixtures/iggy-vectors');

/** Where the vectors are recorded: `../shared/iggy-vectors` beside the checkout (CI has it; a clone may not). */
export const sharedVectorsDir = resolve(here, '../../../shared/iggy-vectors');
export const hasSharedVectors = existsSync(sharedVectorsDir);
