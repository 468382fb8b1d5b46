import { iggyErrorName } from './codes/error-codes.js';

/**
 * Iggy refused a command: `code` is the server's error code, `name` its server-side name
 * (`StreamIdNotFound`, `InvalidCredentials`, ...), `command` the command refused when known. A real
 * server's answer (`IggyClient` throws it) and the embedded broker's refusals (`BrokerError`, a subclass)
 * are both one, so code over either session reads the same error.
 */
export class IggyError extends Error {
  override readonly name: string;

  constructor(
    readonly code: number,
    readonly command?: string,
    message?: string,
  ) {
    const name = iggyErrorName(code);
    super(message ?? `${command ?? 'a command'} failed: ${name} (code ${code})`);
    this.name = name;
  }
}

/** True for an `IggyError` with the given code (or any `IggyError` when no code is given). */
export function isIggyError(err: unknown, code?: number): err is IggyError {
  return err instanceof IggyError && (code === undefined || err.code === code);
}
