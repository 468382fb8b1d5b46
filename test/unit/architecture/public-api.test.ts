/*
 * The public API, by entry point: every name `package.json` exports, values and types, written to
 * public-api.report.txt beside this file. A change to the API changes the report, so it is reviewed as
 * one: the test fails on any difference; `UPDATE_API_REPORT=1` rewrites the report to commit with the change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const reportFile = join(dirname(fileURLToPath(import.meta.url)), 'public-api.report.txt');

type Conditions = { import: { types: string } };
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, Conditions | string>;
};

/** `package.json`'s entry points and the source each is built from (`./dist/lib/x.d.ts` → `lib/x.ts`). */
function entryPoints(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue;
    entries.set(subpath, target.import.types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts'));
  }
  return entries;
}

/** `value` or `type` per exported name of each source, sorted. */
function exportedNames(sources: string[]): Map<string, string[]> {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    experimentalDecorators: true,
    noEmit: true,
    skipLibCheck: true,
  };
  const program = ts.createProgram(
    sources.map((s) => join(root, s)),
    options,
  );
  const checker = program.getTypeChecker();
  const names = new Map<string, string[]>();
  for (const source of sources) {
    const file = program.getSourceFile(join(root, source));
    const module = file && checker.getSymbolAtLocation(file);
    if (!module) throw new Error(`${source}: not a module`);
    const lines = checker.getExportsOfModule(module).map((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return `${symbol.name} (${target.flags & ts.SymbolFlags.Value ? 'value' : 'type'})`;
    });
    names.set(source, lines.sort());
  }
  return names;
}

function report(): string {
  const entries = entryPoints();
  const names = exportedNames([...entries.values()]);
  const sections = [...entries].map(([subpath, source]) => {
    const list = names.get(source)!;
    return [`## nestjs-iggy${subpath.slice(1)}  (${source}, ${list.length} names)`, ...list].join('\n');
  });
  return `${sections.join('\n\n')}\n`;
}

describe('public API (package.json exports)', () => {
  const current = report();

  it('is the reviewed list in public-api.report.txt', () => {
    if (process.env.UPDATE_API_REPORT === '1') writeFileSync(reportFile, current);
    expect(current).toEqual(readFileSync(reportFile, 'utf8'));
  });

  it('has the entry points ARCHITECTURE.md names public, and no other', () => {
    expect([...entryPoints().keys()]).toEqual(['.', './connector', './broker']);
    expect(Object.keys(pkg.exports)).toEqual(['.', './connector', './broker', './package.json']);
  });

  it('leaves the runtime and the outbox relay internals out of nestjs-iggy', () => {
    const root = current.split('\n\n')[0]!;
    for (const internal of [
      'GroupConsumer',
      'PartitionLanes',
      'dispatchMessage',
      'HandlerExplorer',
      'rowToRequest',
    ]) {
      expect(root).not.toContain(`\n${internal} (`);
    }
    expect(root).toContain('\nIggyModule (value)');
    expect(root).toContain('\nIggyModuleOptions (type)');
  });
});
