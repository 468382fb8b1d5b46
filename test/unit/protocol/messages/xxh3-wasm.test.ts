import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import wabtInit from 'wabt';
import { XXH3_WASM_BASE64 } from '../../../../lib/protocol/messages/xxh3-wasm.js';

const watPath = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../lib/protocol/messages/xxh3.wat',
);

describe('xxh3-wasm.ts', () => {
  it('is the compiled xxh3.wat (run scripts/build-xxh3-wasm.mjs after editing the .wat)', async () => {
    const wabt = await wabtInit();
    const module = wabt.parseWat('xxh3.wat', readFileSync(watPath, 'utf8'));
    module.validate();
    const compiled = Buffer.from(module.toBinary({}).buffer).toString('base64');
    module.destroy();
    expect(compiled).toBe(XXH3_WASM_BASE64);
  });
});
