import type { CommandCodeValue, CommandName } from './codes/command-codes.js';

/**
 * Both directions of one command: the client encodes requests and decodes responses, the broker
 * decodes requests and encodes responses. Payloads only; framing is `framing.ts`'s job.
 * Decoders throw `ProtocolError` and nothing else.
 */
export interface CommandCodec<Req, Res> {
  readonly name: CommandName;
  readonly code: CommandCodeValue;
  encodeRequest(request: Req): Buffer;
  decodeRequest(payload: Buffer): Req;
  encodeResponse(response: Res): Buffer;
  decodeResponse(payload: Buffer): Res;
}

/** The request type of a codec. */
export type RequestOf<C> = C extends CommandCodec<infer Req, unknown> ? Req : never;
/** The response type of a codec. */
export type ResponseOf<C> = C extends CommandCodec<unknown, infer Res> ? Res : never;
