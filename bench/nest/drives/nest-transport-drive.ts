/**
 * A transport of `@nestjs/microservices` (NATS, Redis, RabbitMQ): a microservice whose `@EventPattern`
 * handler receives what its `ClientsModule` client `emit`s.
 */
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ClientsModule,
  EventPattern,
  Payload,
  type ClientOptions,
  type ClientProxy,
  type MicroserviceOptions,
} from '@nestjs/microservices';
import { probe, TICK, type Drive, type Tick } from '../load.js';
import { acked, LOGGER } from './nest-emit.js';

@Controller()
class NestTickController {
  @EventPattern(TICK)
  on(@Payload() tick: Tick): void {
    probe.hit(tick.sentAt);
  }
}

const BUS = Symbol('bench bus');

export async function nestTransportDrive(server: MicroserviceOptions, client: ClientOptions): Promise<Drive> {
  @Module({
    imports: [ClientsModule.register([{ name: BUS, ...client }])],
    controllers: [NestTickController],
  })
  class BenchModule {}
  const app = await NestFactory.createMicroservice(BenchModule, { ...server, logger: LOGGER });
  await app.listen();
  const bus = app.get<ClientProxy>(BUS);
  await bus.connect();
  return { emit: (tick) => acked(bus.emit(TICK, tick)), stop: () => app.close() };
}
