#!/usr/bin/env node
/*
 * `npm run test:compat`: the packed library (`npm pack`) installed from its tarball into small generated
 * Nest apps (Nest 11 + CommonJS `module: commonjs`, Nest 12 + ESM, Nest 12 + CommonJS `module: nodenext`),
 * each with one `npm install` from the registry. Each app (sources in test/compat/app/src, the same for
 * all) boots `IggyModule.forRoot` on the embedded default and is driven over real HTTP: `emit` →
 * `@IggyEventHandler` and `@EventPattern`, `send` → `@MessagePattern` (an `IggyServer` from `IggyServer.fromApp`, the client
 * registered with `ClientsModule.register`), a failing handler → the DLQ (`DlqManager.list()` returned as
 * JSON), `/health` (terminus); then SIGTERM must stop it cleanly. npm's install output must carry no
 * ERESOLVE and no install-script warning. Prints the time of each step. KEEP_COMPAT_APPS=1 keeps the apps.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');

/** The apps: what a `nest new` of each generation installs, and how it compiles. */
const VARIANTS = [
  {
    name: 'nest11-commonjs',
    nest: '^11.0.0',
    config: '^4.0.0',
    terminus: '^11.0.0',
    typescript: '~5.9.0',
    type: 'commonjs',
    compilerOptions: { module: 'commonjs', moduleResolution: 'node' },
    format: 'function',
    // Without require() of ES modules (as under Jest's CommonJS runtime, or on Node < 20.19): the
    // CommonJS build and everything it loads must be CommonJS.
    nodeArgs: ['--no-experimental-require-module'],
  },
  {
    name: 'nest12-esm',
    nest: '^12.0.0',
    config: '^12.0.0',
    terminus: '^12.0.0',
    typescript: '~6.0.0',
    type: 'module',
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' },
    format: 'undefined',
  },
  {
    name: 'nest12-commonjs',
    nest: '^12.0.0',
    config: '^12.0.0',
    terminus: '^12.0.0',
    typescript: '~6.0.0',
    type: 'commonjs',
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' },
    format: 'function',
  },
];

const timings = [];
async function timed(label, fn) {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    timings.push([label, (Date.now() - started) / 1000]);
  }
}

/** Runs a command; resolves with its output, rejects with it when it fails. */
function run(command, args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolvePromise(output);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
}

function packageJson(variant, tarball) {
  const nest = variant.nest;
  return {
    name: `compat-${variant.name}`,
    private: true,
    version: '0.0.0',
    type: variant.type,
    scripts: { build: 'tsc -p tsconfig.json' },
    dependencies: {
      '@nestjs/common': nest,
      '@nestjs/config': variant.config,
      '@nestjs/core': nest,
      '@nestjs/microservices': nest,
      '@nestjs/platform-express': nest,
      '@nestjs/terminus': variant.terminus,
      'nestjs-iggy': `file:${tarball}`,
      'reflect-metadata': '^0.2.0',
      rxjs: '^7.8.0',
    },
    devDependencies: { '@types/node': '^20.19.0', typescript: variant.typescript },
    // What the README tells a user to record (msgpackr loads its prebuilt binary without the script).
    allowScripts: { 'msgpackr-extract': false },
  };
}

function tsconfig(variant) {
  return {
    compilerOptions: {
      ...variant.compilerOptions,
      target: 'ES2022',
      outDir: 'dist',
      rootDir: 'src',
      strict: true,
      esModuleInterop: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      skipLibCheck: true,
      types: ['node'],
    },
    include: ['src'],
  };
}

/** npm's warnings that mean the package does not install cleanly. */
function installProblems(output) {
  return output
    .split('\n')
    .filter((line) => /ERESOLVE|install-scripts|peer dep|EBADENGINE.*nestjs-iggy/i.test(line));
}

async function install(variant, dir) {
  const output = await timed(`${variant.name}: npm install`, () =>
    run('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir }),
  );
  const problems = installProblems(output);
  if (problems.length > 0) throw new Error(`${variant.name}: npm install warned:\n${problems.join('\n')}`);
}

async function http(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

async function eventually(what, check, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await check();
    if (last.ok) return last.value;
    if (Date.now() > until)
      throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function expect(what, condition, detail) {
  if (!condition) throw new Error(`${what}: ${JSON.stringify(detail)}`);
}

/** Starts the built app, drives it over HTTP, stops it with SIGTERM. */
async function exercise(variant, dir) {
  const child = spawn(process.execPath, [...(variant.nodeArgs ?? []), 'dist/main.js'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', IGGY_TCP_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  try {
    const ready = await eventually(
      'the app printing COMPAT_READY',
      () => {
        const match = /COMPAT_READY (\{.*\})/.exec(output);
        if (child.exitCode !== null) throw new Error('the app exited early');
        return { ok: match !== null, value: match && JSON.parse(match[1]) };
      },
      60_000,
    );
    expect('module format (typeof require)', ready.format === variant.format, ready);
    const url = (path) => `http://127.0.0.1:${ready.port}${path}`;

    const emitted = await http('POST', url('/events'), { tenantId: 'acme', n: 1 });
    expect('POST /events', emitted.status === 202, emitted);
    await eventually('the event reaching the @IggyEventHandler and the @EventPattern', async () => {
      const seen = await http('GET', url('/events'));
      const got = (via) => seen.body.some?.((e) => e.via === via && e.tenantId === 'acme' && e.n === 1);
      return { ok: got('handler') && got('pattern'), value: seen.body };
    });

    const quote = await http('POST', url('/quote'), { tenantId: 'acme', items: 3 });
    expect('POST /quote (send → @MessagePattern)', quote.status === 200 && quote.body.price === 30, quote);

    const failed = await http('POST', url('/fail'), { tenantId: 'acme' });
    expect('POST /fail', failed.status === 202, failed);
    const deadLetters = await eventually('the failed event in the DLQ', async () => {
      const dlq = await http('GET', url('/dlq'));
      if (dlq.status !== 200) return { ok: false, value: dlq };
      return { ok: Array.isArray(dlq.body) && dlq.body.length === 1, value: dlq.body };
    });
    const [deadLetter] = deadLetters;
    expect(
      'the dead letter as JSON',
      deadLetter.group === 'compat' &&
        deadLetter.eventType === 'compat.fail' &&
        /^\d+$/.test(deadLetter.origin.offset),
      deadLetter,
    );

    const health = await http('GET', url('/health'));
    expect('GET /health', health.status === 200 && health.body.status === 'ok', health);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${variant.name}: ${err.message}\n--- app output ---\n${output}`, { cause: err });
  }
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const { code, signal } = await exited;
  clearTimeout(timer);
  // Nest's shutdown hooks run, then raise the signal again: a clean stop ends by SIGTERM (or exits 0).
  const clean = (code === 0 || signal === 'SIGTERM') && /connector shut down/.test(output);
  if (!clean) throw new Error(`${variant.name}: SIGTERM ended the app with ${code ?? signal}:\n${output}`);
}

async function runVariant(variant, root, tarball) {
  const dir = join(root, variant.name);
  rmSync(join(dir, 'src'), { recursive: true, force: true });
  cpSync(join(here, 'app', 'src'), join(dir, 'src'), { recursive: true });
  if (tarball) {
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(packageJson(variant, tarball), null, 2)}\n`);
    writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig(variant), null, 2)}\n`);
    await install(variant, dir);
  }
  await timed(`${variant.name}: tsc`, () => run('npm', ['run', 'build'], { cwd: dir }));
  await timed(`${variant.name}: boot, HTTP checks, SIGTERM`, () => exercise(variant, dir));
}

async function main() {
  const started = Date.now();
  // COMPAT_REUSE=<dir>: the apps of an earlier run (kept with KEEP_COMPAT_APPS=1) with the current app
  // sources, without packing and installing again: for working on the app itself.
  const reuse = process.env.COMPAT_REUSE;
  const root = reuse ?? mkdtempSync(join(tmpdir(), 'nestjs-iggy-compat-'));
  let passed = 0;
  try {
    let tarball;
    if (!reuse) {
      await timed('npm pack (builds the ESM and CommonJS outputs)', () =>
        run('npm', ['pack', '--pack-destination', root], { cwd: repo }),
      );
      tarball = join(
        root,
        readdirSync(root).find((f) => f.endsWith('.tgz')),
      );
      for (const variant of VARIANTS) mkdirSync(join(root, variant.name));
    }
    const results = await Promise.allSettled(VARIANTS.map((v) => runVariant(v, root, tarball)));
    for (const [i, result] of results.entries()) {
      const name = VARIANTS[i].name;
      if (result.status === 'fulfilled') {
        passed++;
        console.log(`ok    ${name}`);
      } else console.log(`FAIL  ${name}\n${result.reason?.message ?? result.reason}`);
    }
  } catch (err) {
    console.log(`FAIL  ${err.message}`);
  } finally {
    if (reuse || process.env.KEEP_COMPAT_APPS === '1') console.log(`apps kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
  for (const [label, seconds] of timings) console.log(`  ${seconds.toFixed(1).padStart(6)} s  ${label}`);
  console.log(`compat: ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
  console.log(`${passed} passed, ${VARIANTS.length - passed} failed`);
  process.exit(passed === VARIANTS.length ? 0 : 1);
}

await main();
