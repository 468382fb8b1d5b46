import type { CommandCodec } from '../command-codec.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const systemCodecs: readonly CommandCodec<any, any>[] = [];
