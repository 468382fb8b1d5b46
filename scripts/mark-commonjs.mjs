// Marks a build folder as CommonJS (the package itself is "type": "module"): node and TypeScript then
// read its .js and .d.ts files as CommonJS.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node scripts/mark-commonjs.mjs <dir>');
writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
