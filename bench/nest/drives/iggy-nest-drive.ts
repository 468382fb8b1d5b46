/** `IggyModule.forRoot(options)`: `IggyClientProxy.emit` → `@IggyEventHandler`, as a user writes it. */
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  IggyClientProxy,
  IggyEventHandler,
  IggyModule,
  type EventEnvelope,
  type IggyModuleOptions,
} from '../../../lib/index.js';
import { probe, TICK, type Drive, type Tick } from '../load.js';
import { acked, LOGGER } from './nest-emit.js';

@Injectable()
class IggyTickHandler {
  @IggyEventHandler(TICK, { group: 'bench' })
  on(envelope: EventEnvelope<Tick>): void {
    probe.hit(envelope.payload.sentAt);
  }
}

export async function iggyNestDrive(options: IggyModuleOptions): Promise<Drive> {
  @Module({ imports: [IggyModule.forRoot(options)], providers: [IggyTickHandler] })
  class BenchModule {}
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: LOGGER });
  await app.init();
  const client = app.get(IggyClientProxy);
  return { emit: (tick) => acked(client.emit(TICK, tick)), stop: () => app.close() };
}
