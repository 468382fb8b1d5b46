import { describe, expect, it } from '@jest/globals';
import { packetOf, runWithProcessingHooks } from '../../../lib/transport/nest-compat.js';

/*
 * `@nestjs/microservices` 11 has neither `ClientProxy#createPacket` nor `Server#runWithProcessingHooks`:
 * the stand-ins below have only what 11 has (the compat job runs the real thing in a Nest 11 app).
 */
describe('packetOf', () => {
  it('uses createPacket where Nest has it (12: runs the dispatch hook)', () => {
    const client = {
      createPacket: (pattern: unknown, data: unknown) => ({ pattern, data, metadata: { trace: 't-1' } }),
    };
    expect(packetOf(client, 'order.created', { n: 1 })).toEqual({
      pattern: 'order.created',
      data: { n: 1 },
      metadata: { trace: 't-1' },
    });
  });

  it('builds the packet itself on Nest 11', () => {
    expect(packetOf({}, 'order.created', { n: 1 })).toEqual({ pattern: 'order.created', data: { n: 1 } });
  });
});

/** A Nest 11 `Server`'s hooks: the start hook wraps the work, the end hook reports it. */
function nest11Server(calls: string[]) {
  return {
    transportId: 'iggy',
    onProcessingStartHook: (transportId: unknown, context: string, done: () => Promise<unknown>) => {
      calls.push(`start ${String(transportId)} ${context}`);
      return done();
    },
    onProcessingEndHook: (transportId: unknown, context: string) =>
      calls.push(`end ${String(transportId)} ${context}`),
  };
}

describe('runWithProcessingHooks', () => {
  it('calls Nest 12’s own', async () => {
    const calls: string[] = [];
    const server = {
      runWithProcessingHooks: (context: string, fn: (end: () => void) => Promise<void>) => {
        calls.push(`own ${context}`);
        return fn(() => calls.push('own end'));
      },
    };
    await runWithProcessingHooks(server, 'ctx', async (end) => end());
    expect(calls).toEqual(['own ctx', 'own end']);
  });

  it('on Nest 11: runs the work inside the start hook and the end hook once', async () => {
    const calls: string[] = [];
    await runWithProcessingHooks(nest11Server(calls), 'ctx', async (end) => {
      calls.push('work');
      end();
      end();
    });
    expect(calls).toEqual(['start iggy ctx', 'work', 'end iggy ctx']);
  });

  it('on Nest 11: a failing handler still ends the hook, and the failure goes on', async () => {
    const calls: string[] = [];
    const run = runWithProcessingHooks(nest11Server(calls), 'ctx', async () => {
      throw new Error('handler failed');
    });
    await expect(run).rejects.toThrow('handler failed');
    expect(calls).toEqual(['start iggy ctx', 'end iggy ctx']);
  });
});
