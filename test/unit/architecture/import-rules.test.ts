/*
 * The import rules of ARCHITECTURE.md (the repository's root), read from its table of rooms and checked on
 * the sources: each room imports only the rooms its row lists (and itself), the plain-TypeScript rooms
 * never import `@nestjs/*`, every folder of lib/ has a row, every row a folder, and the
 * `nestjs-iggy/connector` entry point loads no Nest code at all. `import type` counts like any other import.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const lib = join(root, 'lib');

interface Room {
  layer: 'plain' | 'Nest';
  mayImport: string[];
}

/** The rows of ARCHITECTURE.md's table: `| \`lib/<room>/\` | plain or Nest | what it owns | \`room\`, ... |`. */
function roomsOfArchitecture(): Map<string, Room> {
  const rooms = new Map<string, Room>();
  const text = readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8');
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const room = /^`lib\/(.+)\/`$/.exec(cells[1] ?? '')?.[1];
    if (!room) continue;
    const layer = cells[2];
    if (layer !== 'plain' && layer !== 'Nest') throw new Error(`ARCHITECTURE.md: ${room}: layer '${layer}'`);
    const mayImport = [...(cells[4] ?? '').matchAll(/`([a-z/]+)`/g)].map((m) => m[1]!);
    rooms.set(room, { layer, mayImport: [room, ...mayImport] });
  }
  return rooms;
}

const ROOMS = roomsOfArchitecture();
const roomsIn = (layer: Room['layer']) => [...ROOMS].filter(([, r]) => r.layer === layer);

/** Rooms inside another room's folder: checked as rooms of their own, left out of the outer one. */
const INNER_ROOMS = [...ROOMS.keys()].filter((room) => room.includes('/'));

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
  it('sees the sources it checks, and the rooms of ARCHITECTURE.md', () => {
    expect(sourceFiles(join(lib, 'protocol')).length).toBeGreaterThan(20);
    expect(specifiers(join(lib, 'connector-layer.ts'))).toContain('./events/index.js');
    expect(ROOMS.get('module')).toMatchObject({ layer: 'Nest' });
    expect(ROOMS.get('client')).toEqual({ layer: 'plain', mayImport: ['client', 'common', 'protocol'] });
  });

  it('has a row in ARCHITECTURE.md for every folder of lib/, and a folder for every row', () => {
    const folders = readdirSync(lib, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    const outerRooms = [...ROOMS.keys()].filter((room) => !room.includes('/'));
    expect(folders.sort()).toEqual(outerRooms.sort());
    for (const room of ROOMS.keys()) expect(existsSync(join(lib, room))).toBe(true);
    for (const [room, { mayImport }] of ROOMS) {
      for (const target of mayImport) expect([room, target, ROOMS.has(target)]).toEqual([room, target, true]);
    }
  });

  for (const [folder, { mayImport: allowed }] of roomsIn('plain')) {
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

  for (const [folder, { mayImport: allowed }] of roomsIn('Nest')) {
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
    const outside = specifiersIn(text).filter(
      (s) => !ROOMS.get('handlers')!.mayImport.includes(folderOf(file, s)!),
    );
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
