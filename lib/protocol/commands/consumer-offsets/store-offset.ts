import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty } from '../payload.js';
import {
  readConsumerOffsetTarget,
  writeConsumerOffsetTarget,
  type ConsumerOffsetTarget,
} from './consumer-offset.layout.js';

export interface StoreOffsetRequest extends ConsumerOffsetTarget {
  /** The last consumed offset (inclusive). */
  offset: bigint;
}

/** StoreOffset (121): consumer · stream · topic · optional partition · `u64 offset`; empty answer. */
export const storeOffsetCodec: CommandCodec<StoreOffsetRequest, void> = {
  name: 'StoreOffset',
  code: CommandCode.StoreOffset,
  encodeRequest: (request) =>
    encodePayload((w) => {
      writeConsumerOffsetTarget(w, request);
      w.u64(request.offset);
    }),
  decodeRequest: (payload) =>
    decodePayload(payload, 'StoreOffset request', (r) => {
      const target = readConsumerOffsetTarget(r);
      return { ...target, offset: r.u64('offset') };
    }),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'StoreOffset response'),
};
