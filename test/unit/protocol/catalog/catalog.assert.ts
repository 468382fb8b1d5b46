import { expect } from '@jest/globals';
import fc from 'fast-check';
import type { CommandCodec } from '../../../../lib/protocol/command-codec.js';
import { ProtocolError, type ProtocolErrorKind } from '../../../../lib/protocol/protocol-error.js';

/** encode → decode gives the value back, and re-encoding gives the same bytes. */
export function requestRoundTrips<Req>(codec: CommandCodec<Req, unknown>, arb: fc.Arbitrary<Req>): void {
  fc.assert(
    fc.property(arb, (request) => {
      const bytes = codec.encodeRequest(request);
      const decoded = codec.decodeRequest(bytes);
      expect(decoded).toEqual(request);
      expect(codec.encodeRequest(decoded)).toEqual(bytes);
    }),
  );
}

export function responseRoundTrips<Res>(codec: CommandCodec<unknown, Res>, arb: fc.Arbitrary<Res>): void {
  fc.assert(
    fc.property(arb, (response) => {
      const bytes = codec.encodeResponse(response);
      const decoded = codec.decodeResponse(bytes);
      expect(decoded).toEqual(response);
      expect(codec.encodeResponse(decoded)).toEqual(bytes);
    }),
  );
}

/** Runs `fn` and checks it throws a ProtocolError of that kind (and Iggy code, when given). */
export function expectProtocolError(fn: () => unknown, kind: ProtocolErrorKind, code?: number): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ProtocolError);
  const error = thrown as ProtocolError;
  expect(error.kind).toBe(kind);
  if (code !== undefined) expect(error.code).toBe(code);
}

/** A void response: empty both ways, anything else rejected. */
export function expectVoidResponse<Req>(codec: CommandCodec<Req, void>): void {
  expect(codec.encodeResponse(undefined)).toEqual(Buffer.alloc(0));
  expect(codec.decodeResponse(Buffer.alloc(0))).toBeUndefined();
  expectProtocolError(() => codec.decodeResponse(Buffer.from([0])), 'TrailingBytes');
}
