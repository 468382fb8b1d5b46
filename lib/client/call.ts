import type { CommandCodec } from '../protocol/command-codec.js';
import { encodeRequestHeader, type ResponseFrame } from '../protocol/framing.js';
import type { WireRequest } from './connection.js';
import { IggyError } from '../protocol/iggy-error.js';
import { IggyClientError } from './errors.js';
import { describeError } from '../common/error-text.js';

/** Replaces a codec's request encoder or response decoder for one request (`requestWith`). */
export interface RequestCoder<Req, Out> {
  /** The payload in parts, written back to back (no copy into one buffer). */
  encode?: (request: Req) => readonly Buffer[];
  decode?: (payload: Buffer) => Out;
}

/** A request from the call until its promise settles. */
export class Call<Res> implements WireRequest {
  settled = false;
  written = false;
  timer: NodeJS.Timeout | undefined;
  /** Header and payload bytes. */
  readonly bytes: number;

  constructor(
    readonly command: string,
    readonly header: Buffer,
    readonly payload: readonly Buffer[],
    private readonly decode: (payload: Buffer) => Res,
    private readonly resolve: (value: Res) => void,
    private readonly reject: (error: Error) => void,
  ) {
    let bytes = header.length;
    for (const part of payload) bytes += part.length;
    this.bytes = bytes;
  }

  onResponse(frame: ResponseFrame): void {
    if (frame.status !== 0) return this.fail(new IggyError(frame.status, this.command));
    let value: Res;
    try {
      value = this.decode(frame.payload);
    } catch (err) {
      const message = describeError(err);
      return this.fail(
        new IggyClientError('Protocol', `${this.command}: cannot decode response: ${message}`, {
          cause: err,
          command: this.command,
        }),
      );
    }
    if (this.settle()) this.resolve(value);
  }

  onFailure(error: IggyClientError): void {
    this.fail(
      new IggyClientError(error.kind, `${this.command}: ${error.message}`, {
        cause: error.cause,
        command: this.command,
      }),
    );
  }

  fail(error: Error): void {
    if (this.settle()) this.reject(error);
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    return true;
  }
}

/** Encodes `request` into a `Call`, or rejects it with 'Protocol' (and returns undefined) when it cannot. */
export function createCall<Req, Res, Out>(
  codec: CommandCodec<Req, Res>,
  request: Req,
  coder: RequestCoder<Req, Out>,
  resolve: (value: Out) => void,
  reject: (error: Error) => void,
): Call<Out> | undefined {
  let payload: readonly Buffer[];
  try {
    payload = coder.encode ? coder.encode(request) : [codec.encodeRequest(request)];
  } catch (err) {
    const message = describeError(err);
    reject(
      new IggyClientError('Protocol', `${codec.name}: cannot encode request: ${message}`, {
        cause: err,
        command: codec.name,
      }),
    );
    return undefined;
  }
  let length = 0;
  for (const part of payload) length += part.length;
  const header = encodeRequestHeader(codec.code, length);
  const decode = coder.decode ?? ((p: Buffer) => codec.decodeResponse(p) as unknown as Out);
  return new Call(codec.name, header, payload, decode, resolve, reject);
}
