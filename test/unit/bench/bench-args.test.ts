import { describe, expect, it } from '@jest/globals';
import { BenchArgsError, parseBenchArgs } from '../../../bench/nest/bench-args.js';
import { CASE_IDS } from '../../../bench/nest/cases.js';
import { SHAPE_IDS } from '../../../bench/nest/shapes.js';

describe('bench:nest arguments', () => {
  it('runs every case and shape at full size by default', () => {
    expect(parseBenchArgs([])).toEqual({
      quick: false,
      cases: [...CASE_IDS],
      shapes: [...SHAPE_IDS],
      rounds: 1,
    });
  });

  it('keeps the table order whatever order --only lists the cases in', () => {
    const args = parseBenchArgs(['--quick', '--only', 'nats, embedded-default', '--shapes=rss,burst']);
    expect(args).toEqual({
      quick: true,
      cases: ['embedded-default', 'nats'],
      shapes: ['burst', 'rss'],
      rounds: 1,
    });
  });

  it('reads BENCH_QUICK / BENCH_ONLY / BENCH_SHAPES, and a flag wins over its variable', () => {
    const env = { BENCH_QUICK: '1', BENCH_ONLY: 'redis', BENCH_SHAPES: 'paced' };
    expect(parseBenchArgs([], env)).toEqual({ quick: true, cases: ['redis'], shapes: ['paced'], rounds: 1 });
    expect(parseBenchArgs(['--only', 'rabbitmq'], env).cases).toEqual(['rabbitmq']);
  });

  it('names the unknown case and the known ones', () => {
    expect(() => parseBenchArgs(['--only', 'nats,kafka'])).toThrow(BenchArgsError);
    expect(() => parseBenchArgs(['--only', 'nats,kafka'])).toThrow(
      /unknown case kafka \(known: embedded-default,/,
    );
  });

  it('rejects an unknown flag or a stray argument with the usage', () => {
    expect(() => parseBenchArgs(['--fast'])).toThrow(/--quick/);
    expect(() => parseBenchArgs(['nats'])).toThrow(BenchArgsError);
  });

  it('reads --rounds (or BENCH_ROUNDS) as an integer in 1..20', () => {
    expect(parseBenchArgs(['--rounds', '3']).rounds).toBe(3);
    expect(parseBenchArgs([], { BENCH_ROUNDS: '5' }).rounds).toBe(5);
    expect(parseBenchArgs(['--rounds=2'], { BENCH_ROUNDS: '5' }).rounds).toBe(2);
    for (const bad of ['0', '-1', '1.5', 'three', '21']) {
      expect(() => parseBenchArgs([`--rounds=${bad}`])).toThrow(/--rounds must be an integer in 1\.\.20/);
    }
  });
});
