import type { CommandCodec } from '../../../../lib/protocol/command-codec.js';

/**
 * Maps a vector's SDK-shaped `input` to this project's request value. `expectedDecoded` is what
 * decoding the payload must give back when it differs from the request (e.g. fields the wire drops).
 */
export interface VectorAdapter<Req = unknown> {
  codec: CommandCodec<Req, unknown>;
  toRequest(input: unknown): Req;
  expectedDecoded?(input: unknown): Req;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AdapterTable = Record<string, VectorAdapter<any>>;
