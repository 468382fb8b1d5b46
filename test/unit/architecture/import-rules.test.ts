/*
 * The import rules of ../shared/ARCHITECTURE.md, checked on the sources: the plain-TypeScript layers
 * import only the layers below them and never `@nestjs/*`, and the `nestjs-iggy/connector` entry point
 * loads no Nest code at all.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const lib = resolve(dirname(fileURLToPath(import.meta.url)), '../../../lib');

/** The folders of `lib/` each plain-TypeScript folder may import (itself included). */
const MAY_IMPORT: Record<string, string[]> = {
  protocol: ['protocol'],
  client: ['client', 'protocol'],
  broker: ['broker', 'protocol'],
  connectors: ['connectors', 'protocol', 'client', 'broker'],
  events: ['events', 'connectors', 'protocol'],
  topology: ['topology', 'connectors', 'events', 'protocol'],
  cli: ['cli', 'broker', 'protocol'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The module specifiers of a file's static imports, re-exports and dynamic imports. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?\bfrom\s+['"]([^'"]+)['"]/g))
    found.push(m[1]!);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) found.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

/** The `lib/` folder a relative import lands in, or null for a package. */
function folderOf(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
  return relative(lib, target).split('/')[0]!;
}

describe('import rules (ARCHITECTURE.md)', () => {
  it('sees the sources it checks', () => {
    expect(sourceFiles(join(lib, 'protocol')).length).toBeGreaterThan(20);
    expect(specifiers(join(lib, 'connector-layer.ts'))).toContain('./events/index.js');
  });

  for (const [folder, allowed] of Object.entries(MAY_IMPORT)) {
    it(`lib/${folder} imports only ${allowed.join(', ')} and no @nestjs package`, () => {
      const wrong: string[] = [];
      for (const file of sourceFiles(join(lib, folder))) {
        for (const specifier of specifiers(file)) {
          const target = folderOf(file, specifier);
          const bad = target === null ? specifier.startsWith('@nestjs/') : !allowed.includes(target);
          if (bad) wrong.push(`${relative(lib, file)} → ${specifier}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }

  it('nestjs-iggy/connector (lib/connector-layer.ts) reaches no Nest code, transitively', () => {
    const seen = new Set<string>();
    const nest: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const specifier of specifiers(file)) {
        if (specifier.startsWith('@nestjs/')) nest.push(`${relative(lib, file)} → ${specifier}`);
        else if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      }
    };
    visit(join(lib, 'connector-layer.ts'));
    expect(seen.size).toBeGreaterThan(50);
    expect(nest).toEqual([]);
  });
});
