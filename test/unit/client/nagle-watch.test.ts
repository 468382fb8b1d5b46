import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { IggyClient } from '../../../lib/client/index.js';
import { NagleWatch } from '../../../lib/client/nagle-watch.js';
import { FakeIggyPeer } from '../../support/fake-iggy-peer.js';

/** A fixed pseudo-random sequence in [0, 1) (the same every run). */
function uniform(seed: number): () => number {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

function told(latencies: Iterable<number>): { stalls: number; answers: number }[] {
  const tells: { stalls: number; answers: number }[] = [];
  const watch = new NagleWatch((stalls, answers) => tells.push({ stalls, answers }));
  for (const ms of latencies) watch.answered(ms);
  return tells;
}

function* repeat(n: number, next: (i: number) => number): Generator<number> {
  for (let i = 0; i < n; i++) yield next(i);
}

describe('NagleWatch', () => {
  it('tells once when answers come about 40 ms late in a sharp peak', () => {
    const random = uniform(1);
    const tells = told(repeat(20_000, (i) => 0.3 + random() + (i % 10 === 0 ? 40 + 4 * random() : 0)));
    expect(tells).toHaveLength(1);
    expect(tells[0]!.stalls).toBe(20);
  });

  it('stops watching once it has told (the connection then stops timing its answers)', () => {
    const watch = new NagleWatch(() => undefined);
    expect(watch.watching).toBe(true);
    for (let i = 0; i < 2_000 && watch.watching; i++) watch.answered(i % 10 === 0 ? 41 : 0.3);
    expect(watch.watching).toBe(false);
  });

  it('stays quiet when load spreads the answers out, however far', () => {
    const random = uniform(2);
    expect(told(repeat(50_000, () => 0.3 + 150 * random() ** 2))).toEqual([]);
    expect(told(repeat(50_000, () => 0.3 + 60 * random()))).toEqual([]);
  });

  it('measures from the fastest answer: a server 40 ms away is no alarm', () => {
    const random = uniform(3);
    expect(told(repeat(20_000, () => 40 + 3 * random()))).toEqual([]);
  });

  it('needs the stalls to be at least 1 % of a window of answers', () => {
    const random = uniform(4);
    expect(told(repeat(50_000, (i) => 0.3 + random() + (i % 200 === 0 ? 41 : 0)))).toEqual([]);
  });
});

describe('IggyClient and a server with Nagle on', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  /** Pairs of pings (the second answer is written while the first is unacknowledged), and the warnings told. */
  async function pairsOfPings(noDelayOnServer: boolean, pairs: number): Promise<string[]> {
    const peer = await FakeIggyPeer.start();
    cleanup.push(() => peer.close());
    const client = new IggyClient({ addresses: [peer.address] });
    cleanup.push(() => client.close());
    const warnings: string[] = [];
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation((warning, options) => {
      const { type, code } = options as { type: string; code: string };
      if (String(warning).includes(peer.address)) warnings.push(`${type} ${code}: ${String(warning)}`);
    });
    cleanup.push(async () => emitWarning.mockRestore());
    await client.connect();
    for (const connection of peer.connections) connection.socket.setNoDelay(noDelayOnServer);
    for (let i = 0; i < pairs && warnings.length === 0; i++)
      await Promise.all([client.ping(), client.ping()]);
    return warnings;
  }

  it('warns once, naming the server and the fix, when answers wait for delayed ACKs', async () => {
    const warnings = await pairsOfPings(false, 200);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^IggyNagleWarning IGGY_SERVER_NAGLE: \d+ of \d+ answers from 127\.0\.0\.1:\d+ came about 40 ms late/,
    );
    expect(warnings[0]).toMatch(/IGGY_TCP_SOCKET_OVERRIDE_DEFAULTS=true IGGY_TCP_SOCKET_NODELAY=true/);
  });

  it('does not warn when the server sends at once (TCP_NODELAY)', async () => {
    expect(await pairsOfPings(true, 500)).toEqual([]);
  });
});
