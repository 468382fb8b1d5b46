/**
 * A module config that breaks the rules. `problems` lists every bad field and why, one sentence each
 * (`remote.addresses[0] must be host:port, got 'x'`); the message joins them so one boot failure says it all.
 */
export class IggyConfigError extends Error {
  override readonly name = 'IggyConfigError';

  constructor(
    readonly problems: readonly string[],
    /** Where the config came from, when it was not passed in code (`env`, a YAML file's path). */
    readonly source?: string,
  ) {
    super(`invalid Iggy config${source ? ` (${source})` : ''}: ${problems.join('; ')}`);
  }
}
