import fc from 'fast-check';
import { ProtocolError } from '../../lib/protocol/protocol-error.js';

/** Cases per property: modest in CI, `FUZZ_RUNS=100000 npm run fuzz` for the long run. */
export function fuzzRuns(ciDefault = 300): number {
  const fromEnv = Number(process.env.FUZZ_RUNS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : ciDefault;
}

/**
 * Cases for a fuzz test that opens a connection per case (about 40 ms each, a login included):
 * `TCP_FUZZ_RUNS`, else `fuzzRuns` capped at 5,000 so that `npm run fuzz` finishes (about 4 minutes).
 */
export function connectionFuzzRuns(ciDefault = 200): number {
  const fromEnv = Number(process.env.TCP_FUZZ_RUNS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : Math.min(fuzzRuns(ciDefault), 5_000);
}

/** Runs `decode`; anything but a value or a `ProtocolError` fails the property. */
export function decodesOrRejects(decode: (b: Buffer) => unknown, bytes: Buffer): boolean {
  try {
    decode(bytes);
    return true;
  } catch (err) {
    if (err instanceof ProtocolError) return true;
    throw err;
  }
}

/** A valid payload with a few bytes flipped, cut short, or extended: the interesting bad inputs. */
export function mutated(valid: Buffer): fc.Arbitrary<Buffer> {
  const flip = fc
    .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })
    .map((edits) => {
      const b = Buffer.from(valid);
      if (b.length === 0) return b;
      for (const [at, value] of edits) b[at % b.length] = value;
      return b;
    });
  const truncate = fc.nat({ max: Math.max(0, valid.length) }).map((n) => valid.subarray(0, n));
  const extend = fc.uint8Array({ minLength: 1, maxLength: 16 }).map((tail) => Buffer.concat([valid, tail]));
  return fc.oneof(flip, truncate, extend);
}

/** Arbitrary bytes, as a Buffer. */
export const randomBytes = (maxLength = 256): fc.Arbitrary<Buffer> =>
  fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
