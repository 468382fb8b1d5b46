import { parseArgs } from 'node:util';
import { CASE_IDS, type CaseId } from './cases.js';
import { SHAPE_IDS, type ShapeId } from './shapes.js';

/** What one `bench:nest` run measures. */
export interface BenchArgs {
  /** Smaller counts and budgets: a smoke run of every path in a minute or two. */
  quick: boolean;
  cases: CaseId[];
  shapes: ShapeId[];
  /** Times every case × shape runs (cases interleaved within a round); the tables show each one's median. */
  rounds: number;
}

/** A bad `--only` / `--shapes` value or an unknown flag. */
export class BenchArgsError extends Error {}

const HELP = `npm run bench:nest -- [--quick] [--only <case,…>] [--shapes <shape,…>] [--rounds <n>]
  --quick    small counts (a smoke run); also BENCH_QUICK=1
  --only     cases: ${CASE_IDS.join(', ')}; also BENCH_ONLY
  --shapes   shapes: ${SHAPE_IDS.join(', ')}; also BENCH_SHAPES
  --rounds   run everything n times (default 1) and report each case's median round; also BENCH_ROUNDS`;

/** Reads the flags (winning over the BENCH_* variables); throws `BenchArgsError` with the usage on a bad one. */
export function parseBenchArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): BenchArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean' },
        only: { type: 'string' },
        shapes: { type: 'string' },
        rounds: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new BenchArgsError(`${(error as Error).message}\n${HELP}`);
  }
  const quick = values.quick ?? ['1', 'true'].includes(env.BENCH_QUICK ?? '');
  return {
    quick,
    cases: pick('case', values.only ?? env.BENCH_ONLY, CASE_IDS),
    shapes: pick('shape', values.shapes ?? env.BENCH_SHAPES, SHAPE_IDS),
    rounds: roundsOf(values.rounds ?? env.BENCH_ROUNDS),
  };
}

function roundsOf(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 1;
  const rounds = Number(text);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) {
    throw new BenchArgsError(`--rounds must be an integer in 1..20, got '${text}'\n${HELP}`);
  }
  return rounds;
}

/** The listed ids in the table's order, or all of them when the list is absent or empty. */
function pick<T extends string>(what: string, list: string | undefined, known: readonly T[]): T[] {
  const asked = (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (asked.length === 0) return [...known];
  const unknown = asked.filter((id) => !(known as readonly string[]).includes(id));
  if (unknown.length > 0) {
    throw new BenchArgsError(`unknown ${what} ${unknown.join(', ')} (known: ${known.join(', ')})\n${HELP}`);
  }
  return known.filter((id) => asked.includes(id));
}
