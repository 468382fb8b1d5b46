/*
 * The README's broker.openSession() example (in "The embedded broker"), run as written. Keep it in step with
 * the README.
 */
import { describe, expect, it } from '@jest/globals';
import { Broker } from '../../../lib/broker/index.js';

describe('README: broker.openSession()', () => {
  it('gives the client commands in process', async () => {
    const broker = await Broker.open({ persistent: false });
    const session = broker.openSession();
    await session.createStream({ name: 'orders' });
    expect((await session.getStream({ streamId: 'orders' }))?.name).toBe('orders');
    await session.close();
    await broker.close();
  });
});
