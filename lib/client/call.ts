import type { ResponseFrame } from '../protocol/framing.js';
import type { WireRequest } from './connection.js';
import { IggyClientError, IggyError } from './errors.js';

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
      const message = err instanceof Error ? err.message : String(err);
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
