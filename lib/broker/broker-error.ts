import { IggyErrorCode, iggyErrorName, type IggyErrorName } from '../protocol/codes/error-codes.js';
import { IggyError } from '../protocol/iggy-error.js';

/**
 * Every failure of the broker's API: an `IggyError` whose `code` is the one the real server answers with
 * (the TCP adapter puts it in the response status), and whose `message` names the resource.
 */
export class BrokerError extends IggyError {
  override readonly name = 'BrokerError';

  constructor(code: number, message: string) {
    super(code, undefined, `${iggyErrorName(code)}: ${message}`);
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
