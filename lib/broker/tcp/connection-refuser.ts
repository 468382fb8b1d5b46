import type { Socket } from 'node:net';
import { encodeResponseHeader } from '../../protocol/framing.js';
import type { BrokerLogger } from '../broker-config.js';
import { TOO_MANY_CONNECTIONS } from './connection-limits.js';

/** Sockets being refused at once; past this, more are dropped without an answer. */
const MAX_REFUSING = 64;
/** How long a refused socket has to send its first request. */
const ANSWER_WITHIN_MS = 2_000;
/** At most one log line per this period, with the count refused meanwhile. */
const LOG_EVERY_MS = 10_000;

/**
 * Refuses connections past the server's limit with a typed answer instead of a silent reset: the first
 * request is answered `CannotEstablishConnection` (9), then the socket is ended. Nothing of the request
 * is kept, at most `MAX_REFUSING` sockets wait for theirs, and the refusals are logged once per period.
 */
export class ConnectionRefuser {
  private readonly refusing = new Set<Socket>();
  private refusedSinceLog = 0;
  private lastLogAt = 0;

  constructor(private readonly logger: BrokerLogger) {}

  refuse(socket: Socket, reason: string): void {
    this.note(reason);
    if (this.refusing.size >= MAX_REFUSING) {
      socket.destroy();
      return;
    }
    this.refusing.add(socket);
    const timer = setTimeout(() => socket.destroy(), ANSWER_WITHIN_MS);
    timer.unref();
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      this.refusing.delete(socket);
    });
    socket.once('data', () => {
      socket.pause();
      socket.end(encodeResponseHeader(TOO_MANY_CONNECTIONS, 0));
    });
  }

  /** Drops every socket still waiting (the server is closing). */
  close(): void {
    for (const socket of this.refusing) socket.destroy();
  }

  private note(reason: string): void {
    this.refusedSinceLog++;
    const now = Date.now();
    if (now - this.lastLogAt < LOG_EVERY_MS) return;
    this.logger.warn(`TCP server: refused ${this.refusedSinceLog} connection(s): ${reason}`);
    this.refusedSinceLog = 0;
    this.lastLogAt = now;
  }
}
