import type { AddressInfo, Server } from 'node:net';
import { isErrno } from './storage/file-io.js';

/** Where a listener is bound. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** The broker's network faces. */
export type ListenerKind = 'tcp' | 'http';

/** A listener could not bind: which one, where, why in words; `cause` is the system error. */
export class ListenError extends Error {
  override readonly name = 'ListenError';

  constructor(
    readonly listener: ListenerKind,
    readonly host: string,
    readonly port: number,
    /** `is in use`, `needs privileges` or `cannot be bound (<system message>)`. */
    readonly reason: string,
    options: { cause: unknown },
  ) {
    super(`${listener.toUpperCase()} listener: ${host}:${port} ${reason}`, options);
  }
}

/**
 * Binds `server` (TCP, TLS or HTTP: all are `net.Server`s) and resolves with the bound address (the
 * real port when 0 was asked); rejects with a `ListenError` naming the listener when it cannot bind.
 */
export function listenOn(
  server: Server,
  listener: ListenerKind,
  host: string,
  port: number,
): Promise<ListenAddress> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void =>
      reject(new ListenError(listener, host, port, reasonOf(error), { cause: error }));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve({ host, port: (server.address() as AddressInfo).port });
    });
  });
}

function reasonOf(error: Error): string {
  if (isErrno(error, 'EADDRINUSE')) return 'is in use';
  if (isErrno(error, 'EACCES')) return 'needs privileges';
  return `cannot be bound (${error.message})`;
}
