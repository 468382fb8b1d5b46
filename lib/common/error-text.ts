/** An error's message (its name when the message is empty), or the thrown value as text. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'object' && err !== null && 'message' in err) return String(err.message);
  return String(err);
}

/** `Name: message` of an error, or the thrown value as text. */
export function namedError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : describeError(err);
}

/** An error's stack (its message when it has none), or the thrown value as text: for logs of the unexpected. */
export function errorStack(err: unknown): string {
  return err instanceof Error && err.stack ? err.stack : describeError(err);
}
