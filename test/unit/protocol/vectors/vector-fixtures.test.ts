import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { hasSharedVectors, sharedVectorsDir, vectorsDir } from '../../../support/vector-dirs.js';

/*
 * The vectors are recorded in ../shared/iggy-vectors (beside the checkout, where CI has it) and copied
 * into test/fixtures so that every clone checks the codecs byte for byte. Where both are there, the copy
 * must be the recording, file for file.
 */
if (!hasSharedVectors) {
  console.warn(
    `skipping the vector copy check: ${sharedVectorsDir} is absent (the copy in test/fixtures is used)`,
  );
}

(hasSharedVectors ? describe : describe.skip)('test/fixtures/iggy-vectors', () => {
  it('is the same as ../shared/iggy-vectors', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort();
    expect(files(vectorsDir)).toEqual(files(sharedVectorsDir));
    for (const file of files(sharedVectorsDir)) {
      expect([file, readFileSync(join(vectorsDir, file), 'utf8')]).toEqual([
        file,
        readFileSync(join(sharedVectorsDir, file), 'utf8'),
      ]);
    }
  });
});
