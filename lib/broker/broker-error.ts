import { IggyErrorCode, iggyErrorName, type IggyErrorName } from '../protocol/codes/error-codes.js';

/**
 * Every failure of the broker's API: `code` is the Iggy error code the real server answers with
 * (the TCP adapter puts it in the response status), `message` names the resource.
 */
export class BrokerError extends Error {
  override readonly name = 'BrokerError';

  constructor(
    readonly code: number,
    message: string,
  ) {
    super(`${iggyErrorName(code)}: ${message}`);
  }

  /** The server's name of the code (`StreamIdNotFound`). */
  get codeName(): string {
    return iggyErrorName(this.code);
  }

  static of(name: IggyErrorName, message: string): BrokerError {
    return new BrokerError(IggyErrorCode[name], message);
  }
}

/** True when `error` is a BrokerError with the named code. */
export function isBrokerError(error: unknown, name?: IggyErrorName): error is BrokerError {
  return error instanceof BrokerError && (name === undefined || error.code === IggyErrorCode[name]);
}
