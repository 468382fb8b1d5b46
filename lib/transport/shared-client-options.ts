import type { IggyConnector } from '../connectors/iggy-connector.js';
import type { IggyClientProxyOptions } from './interfaces/iggy-client-proxy-options.interface.js';
import { IggyTransportError } from './transport-errors.js';

/** A client's options with the connector given as an instance. */
export type SharedClientOptions = IggyClientProxyOptions & { connector: IggyConnector };

/*
 * The client options of the `IggyModule`s running in this process (their connector, stream, reply topic,
 * ...), for an `IggyClientProxy` made without a connector outside Nest's injector:
 * `ClientsModule.register([{ name, customClass: IggyClientProxy, options }])` calls `new IggyClientProxy(options)`.
 */
const shared = new Set<SharedClientOptions>();

/** Offers a module's client options to connector-less clients; returns the function that withdraws them. */
export function shareClientOptions(options: SharedClientOptions): () => void {
  shared.add(options);
  return () => shared.delete(options);
}

/** The client options of the module whose connector `connector` is; undefined when none runs here. */
export function moduleClientOptionsOf(connector: IggyConnector): SharedClientOptions | undefined {
  for (const options of shared) if (options.connector === connector) return options;
  return undefined;
}

/** The one module's client options; a clear error when no `IggyModule` runs, or several do. */
export function sharedClientOptions(): SharedClientOptions {
  const [only, ...others] = shared;
  if (only && others.length === 0) return only;
  const why = only
    ? `${shared.size} IggyModules run in this process and it cannot tell which one to use`
    : 'no IggyModule is running in this process';
  throw new IggyTransportError(
    `IggyClientProxy was made without a connector and ${why}: import IggyModule.forRoot(...) in the app, ` +
      'or give the client its connector (ClientsModule.registerAsync({ inject: [IGGY_CONNECTOR], useFactory: (connector) => ({ customClass: IggyClientProxy, options: { connector } }) }))',
  );
}
