import type { CommandCodec } from '../command-codec.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const messagesCodecs: readonly CommandCodec<any, any>[] = [];
