/** What the two Nest drives share. */
import type { LoggerService, LogLevel } from '@nestjs/common';
import { lastValueFrom, type Observable } from 'rxjs';

/** Errors and warnings reach the child's stderr (shown when a case fails); nothing else is logged. */
export const LOGGER: LogLevel[] | LoggerService = ['error', 'warn'];

/** An `emit`'s observable as a promise: resolved once the transport acknowledged the event. */
export const acked = (emitted: Observable<unknown>): Promise<unknown> =>
  lastValueFrom(emitted, { defaultValue: undefined });
