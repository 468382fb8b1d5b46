import type { CommandCodec } from '../command-codec.js';
import { catalogCodecs } from './catalog-codecs.js';
import { messagesCodecs } from './messages-codecs.js';
import { systemCodecs } from './system-codecs.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCodec = CommandCodec<any, any>;

/** Every command codec, by command code: what a broker dispatches on and what the fuzzers walk. */
export const codecsByCode: ReadonlyMap<number, AnyCodec> = new Map(
  [...systemCodecs, ...catalogCodecs, ...messagesCodecs].map((c) => [c.code, c] as const),
);
