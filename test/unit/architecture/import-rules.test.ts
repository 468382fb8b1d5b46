/*
 * The import rules of ../shared/ARCHITECTURE.md, checked on the sources: the plain-TypeScript layers
 * import only the layers below them and never `@nestjs/*`, the Nest layer's rooms import only the rooms
 * below them (never `lib/module`, never a sibling), and the `nestjs-iggy/connector` entry point loads no
 * Nest code at all. `import type` counts like any other import.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const lib = resolve(dirname(fileURLToPath(import.meta.url)), '../../../lib');

/** The folders of `lib/` each plain-TypeScript folder may import (itself included). */
const MAY_IMPORT: Record<string, string[]> = {
  protocol: ['protocol'],
  dashboard: ['dashboard'],
  client: ['client', 'protocol'],
  broker: ['broker', 'protocol', 'dashboard'],
  connectors: ['connectors', 'protocol', 'client', 'broker'],
  events: ['events', 'connectors', 'protocol'],
  topology: ['topology', 'connectors', 'events', 'protocol'],
  consumer: ['consumer', 'connectors', 'events', 'protocol'],
  observability: ['observability', 'consumer', 'connectors', 'events', 'protocol'],
  cli: ['cli', 'broker', 'protocol'],
};

/*
 * The Nest layer's rooms (each may import `@nestjs/*`). ARCHITECTURE.md lists the rooms each may import;
 * as for the plain layers above, the rooms beneath those are allowed too (transport uses connectors,
 * which use protocol; dlq, replay, health and outbox may import "the layers below": handlers, transport
 * and what those may import), never client or broker directly. Only `lib/module` sees everything.
 * `lib/consumer` (plain TypeScript) is the one consumer runtime under both of its Nest faces, `IggyServer`
 * (transport) and the `@IggyEventHandler` groups (handlers): the two faces are siblings over it, so
 * handlers never import transport. `lib/observability` (plain TypeScript: metrics, traces) sits over the
 * consumer runtime, whose observer it implements, so every Nest room may report into it.
 */
const BELOW_NEST = ['observability', 'consumer', 'events', 'topology', 'connectors', 'protocol'];
const NEST_MAY_IMPORT: Record<string, string[]> = {
  transport: ['transport', ...BELOW_NEST],
  handlers: ['handlers', ...BELOW_NEST],
  dlq: ['dlq', 'handlers', 'transport', ...BELOW_NEST],
  replay: ['replay', 'handlers', 'transport', ...BELOW_NEST],
  health: ['health', 'handlers', 'transport', ...BELOW_NEST],
  outbox: ['outbox', 'handlers', 'transport', ...BELOW_NEST],
  // The dashboard's Nest face (`lib/dashboard/nest`) reads everything the app has, as the module does.
  'dashboard/nest': [
    'dashboard/nest',
    'dashboard',
    'module',
    'transport',
    'handlers',
    'dlq',
    'replay',
    'health',
    'outbox',
    ...BELOW_NEST,
    'client',
    'broker',
  ],
  module: [
    'module',
    'transport',
    'handlers',
    'dlq',
    'replay',
    'health',
    'outbox',
    ...BELOW_NEST,
    'client',
    'broker',
  ],
};

/** Rooms inside another room's folder: checked as rooms of their own, left out of the outer one. */
const INNER_ROOMS = ['dashboard/nest'];

function sourceFiles(dir: string, top = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return INNER_ROOMS.includes(relative(lib, path)) && path !== top ? [] : sourceFiles(path, top);
    }
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The module specifiers of a file's static imports, re-exports and dynamic imports. */
function specifiers(file: string): string[] {
  return specifiersIn(readFileSync(file, 'utf8'));
}

function specifiersIn(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?\bfrom\s+['"]([^'"]+)['"]/g))
    found.push(m[1]!);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) found.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

/** The room (a `lib/` folder, or an inner room) a relative import lands in, or null for a package. */
function folderOf(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = relative(lib, resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
  return INNER_ROOMS.find((room) => target.startsWith(`${room}/`)) ?? target.split('/')[0]!;
}

/** The relative imports of the files under `lib/<folder>` that land outside `allowed`. */
function importsOutside(folder: string, allowed: string[]): string[] {
  const wrong: string[] = [];
  for (const file of sourceFiles(join(lib, folder))) {
    for (const specifier of specifiers(file)) {
      const target = folderOf(file, specifier);
      if (target !== null && !allowed.includes(target)) wrong.push(`${relative(lib, file)} → ${specifier}`);
    }
  }
  return wrong;
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

  for (const [folder, allowed] of Object.entries(NEST_MAY_IMPORT)) {
    it(`lib/${folder} (Nest layer) imports only ${allowed.join(', ')}`, () => {
      expect(sourceFiles(join(lib, folder)).length).toBeGreaterThan(2);
      expect(importsOutside(folder, allowed)).toEqual([]);
    });
  }

  it('catches an upward or sideways import in the Nest layer, `import type` and re-exports included', () => {
    const file = join(lib, 'handlers/handler-settings.ts');
    const text = [
      "import type { IggyModuleOptions } from '../module/interfaces/iggy-module-options.interface.js';",
      "import {\n  IGGY_OUTBOX_STORE,\n  type OutboxStore,\n} from '../outbox/nest/outbox.constants.js';",
      "export type { DlqOptions } from '../dlq/index.js';",
      "import { IggyContext } from '../consumer/iggy.context.js';",
      "import { IggyServer } from '../transport/iggy.server.js';",
    ].join('\n');
    const outside = specifiersIn(text).filter((s) => !NEST_MAY_IMPORT.handlers!.includes(folderOf(file, s)!));
    expect(outside).toEqual([
      '../module/interfaces/iggy-module-options.interface.js',
      '../outbox/nest/outbox.constants.js',
      '../dlq/index.js',
      '../transport/iggy.server.js',
    ]);
  });

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
