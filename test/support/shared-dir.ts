import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `../shared` beside the checkout (CI always has it; a user's clone may not). */
export const sharedDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared');
export const vectorsDir = join(sharedDir, 'iggy-vectors');
export const hasVectors = existsSync(vectorsDir);
