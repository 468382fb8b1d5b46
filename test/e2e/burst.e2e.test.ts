import 'reflect-metadata';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Controller, Injectable, Module } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { lastValueFrom } from 'rxjs';
import {
  IggyClientProxy,
  IggyContext,
  IggyEventHandler,
  IggyModule,
  IggyServer,
  type EventEnvelope,
} from '../../lib/index.js';
import { cleanUp, eventually, tempDir } from '../support/app-process.js';

const EVENTS = 20_000;
const TENANTS = Array.from({ length: 16 }, (_, i) => `tenant-${i}`);
const GROUPS = ['alpha', 'beta', 'server'] as const;

interface Tick {
  tenantId: string;
  seq: number;
}

/** What each group handled, per tenant, in handling order. */
const seen = new Map<string, Map<string, number[]>>(GROUPS.map((g) => [g, new Map()]));
const counts = new Map<string, number>(GROUPS.map((g) => [g, 0]));
let wrongContext = 0;

function note(group: string, tick: Tick): void {
  const byTenant = seen.get(group)!;
  let list = byTenant.get(tick.tenantId);
  if (!list) byTenant.set(tick.tenantId, (list = []));
  list.push(tick.seq);
  counts.set(group, counts.get(group)! + 1);
}

@Injectable()
class TickHandlers {
  @IggyEventHandler('burst.tick', { group: 'alpha' })
  alpha(envelope: EventEnvelope<Tick>): void {
    note('alpha', envelope.payload);
  }

  @IggyEventHandler('burst.*', { group: 'beta', concurrency: 8 })
  beta(envelope: EventEnvelope<Tick>): void {
    note('beta', envelope.payload);
  }
}

@Controller()
class TickController {
  @EventPattern<string>('burst.tick')
  onTick(@Payload() tick: Tick, @Ctx() ctx: IggyContext): void {
    if (ctx.getTenantId() !== tick.tenantId) wrongContext++;
    note('server', tick);
  }
}

afterAll(cleanUp);

describe('a burst through the Nest layer on the embedded broker (default: persistent)', () => {
  it(`${EVENTS} emits fired without awaiting each reach every group once, in per-tenant order`, async () => {
    @Module({
      imports: [
        IggyModule.forRoot({
          streamName: 'burst',
          partitions: 8,
          embedded: { dataDir: join(tempDir(), 'iggy'), tcpPort: null, httpPort: null },
        }),
      ],
      controllers: [TickController],
      providers: [TickHandlers],
    })
    class BurstModule {}
    const moduleRef = await Test.createTestingModule({ imports: [BurstModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: ['error'] });
    app.connectMicroservice(
      { strategy: IggyServer.fromApp(app, { group: 'server' }) },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
    await app.init();
    try {
      const client = app.get(IggyClientProxy);
      const acks: Promise<unknown>[] = [];
      for (let seq = 0; seq < EVENTS; seq++) {
        const tick: Tick = { tenantId: TENANTS[seq % TENANTS.length]!, seq };
        const ack = lastValueFrom(client.emit('burst.tick', tick), { defaultValue: undefined });
        if ((seq + 1) % 1_000 === 0) await ack;
        else acks.push(ack);
      }
      await Promise.all(acks);
      await eventually(
        'every group handled every event',
        () => GROUPS.every((g) => counts.get(g)! >= EVENTS),
        540_000,
        100,
      );
      expect(wrongContext).toBe(0);
      for (const group of GROUPS) {
        expect(counts.get(group)).toBe(EVENTS);
        for (const [t, tenant] of TENANTS.entries()) {
          const expected = Array.from({ length: EVENTS / TENANTS.length }, (_, i) => t + i * TENANTS.length);
          expect({ group, tenant, seqs: seen.get(group)!.get(tenant) }).toEqual({
            group,
            tenant,
            seqs: expected,
          });
        }
      }
    } finally {
      await app.close();
    }
    // Generous: a 20k burst took about two minutes alone on a shared 2-core machine under heavy load.
  }, 600_000);
});
