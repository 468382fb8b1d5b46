import { IggyHttpClient } from './http/iggy-http-client.js';
import { IggyClient } from './iggy-client.js';
import type { IggyClientOptions } from './options.js';

/** An `IggyClient` for `options.protocol`: TCP (`IggyClient`) or HTTP (`IggyHttpClient`), the same methods. */
export function createIggyClient(options: IggyClientOptions = {}): IggyClient {
  return options.protocol === 'http' ? new IggyHttpClient(options) : new IggyClient(options);
}
