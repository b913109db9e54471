#!/usr/bin/env node
// What one change check costs (src/data/changes.ts), measured outside the unit tests:
// - idle: nothing committed since the last check (two stat calls and PRAGMA data_version);
// - after a commit: the same plus the -shm header read that tells a commit from a checkpoint;
// - the parts on their own, to show where the time goes.
// Each on both SQLite drivers, against a small MergeXO-shaped file being written by another connection
// and, when present, bench/data/large.db (the check must not depend on the database's size).
//
//   node bench/change-check.mjs [--iterations 20000]
//
// Runs with Node 24 (node_modules/.bin/node); bundles the TypeScript sources with esbuild first.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createMergexoDb, MergexoWriter } from '../tools/mergexo-writer.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const iterations = Number(args[args.indexOf('--iterations') + 1]) || 20_000;

const bundle = join(root, '.cache', 'bench-change-check.cjs');
mkdirSync(dirname(bundle), { recursive: true });
await esbuild.build({
  stdin: {
    contents: `export { ChangeDetector } from './src/data/changes';
               export { MergexoDatabase } from './src/data/database';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  external: ['better-sqlite3'],
  outfile: bundle,
  logLevel: 'warning',
});
const { ChangeDetector, MergexoDatabase } = createRequire(import.meta.url)(bundle);

function summary(samplesMs) {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = sorted.reduce((sum, x) => sum + x, 0) / sorted.length;
  const us = (ms) => `${(ms * 1000).toFixed(1)} µs`.padStart(10);
  return `mean ${us(mean)}  p50 ${us(at(0.5))}  p99 ${us(at(0.99))}  max ${us(sorted[sorted.length - 1])}`;
}

function statBoth(path) {
  statSync(path);
  statSync(`${path}-wal`, { throwIfNoEntry: false });
}

function time(fn, n = iterations) {
  for (let i = 0; i < Math.min(1000, n); i++) fn(); // warm up
  const samples = new Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    samples[i] = performance.now() - t0;
  }
  return samples;
}

const work = mkdtempSync(join(tmpdir(), 'mergexo-bench-check-'));
const small = join(work, 'small', 'state.db');
createMergexoDb(small).close();
const writer = new MergexoWriter(small, { seed: 1 });
const runs = [];
for (let i = 0; i < 50; i++) runs.push(writer.startRun({ repo: 'acme/widgets', issue: i + 1 }));

const targets = [['small (50 runs, live writer)', small, writer]];
const large = join(root, 'bench', 'data', 'large.db');
if (existsSync(large)) {
  // A copy, so the benchmark never touches the generated file (or its side files).
  const copy = join(work, 'large', 'state.db');
  mkdirSync(dirname(copy), { recursive: true });
  copyFileSync(large, copy);
  targets.push([
    `large (${(statSync(copy).size / 1e6).toFixed(0)} MB copy of bench/data/large.db)`,
    copy,
    null,
  ]);
}

console.log(`node ${process.version}, ${iterations} iterations per line\n`);
for (const [label, path, liveWriter] of targets) {
  for (const driver of ['better-sqlite3', 'node:sqlite']) {
    const detector = new ChangeDetector(path, (p) => MergexoDatabase.open(p, { driver }));
    const first = detector.check();
    if (first.kind !== 'reopened') throw new Error(`first check: ${first.kind} ${first.error ?? ''}`);
    console.log(`${label}, ${driver}`);

    const kinds = new Set();
    const durations = [];
    const idle = time(() => {
      const result = detector.check();
      kinds.add(result.kind);
      durations.push(result.durationMs);
    });
    if (kinds.size !== 1 || !kinds.has('unchanged')) throw new Error(`idle checks said ${[...kinds]}`);
    console.log(`  idle check (wall, around call)   ${summary(idle)}`);
    console.log(`  idle check (its own durationMs)  ${summary(durations)}`);
    console.log(`    stat state.db + -wal           ${summary(time(() => statBoth(path)))}`);
    const db = detector.database;
    console.log(`    PRAGMA data_version            ${summary(time(() => db.dataVersion()))}`);

    if (liveWriter) {
      const changed = [];
      const n = Math.min(2000, iterations);
      for (let i = 0; i < n; i++) {
        liveWriter.progress(runs[i % runs.length], undefined, { run_phase: `tick ${i}` });
        const result = detector.check();
        if (result.kind !== 'changed') throw new Error(`after a commit: ${result.kind}`);
        changed.push(result.durationMs);
      }
      console.log(`  check after a commit (n=${n})    ${summary(changed)}`);
    }
    const cpu = process.cpuUsage();
    const wallStart = performance.now();
    for (let i = 0; i < iterations; i++) detector.check();
    const used = process.cpuUsage(cpu);
    const cpuPerCheckUs = (used.user + used.system) / iterations;
    console.log(
      `  CPU per idle check ${cpuPerCheckUs.toFixed(1)} µs → at one poll per second: ` +
        `${((cpuPerCheckUs / 1e6) * 100).toFixed(4)} % of one core ` +
        `(${(performance.now() - wallStart).toFixed(0)} ms wall for ${iterations})\n`,
    );
    detector.close();
  }
}
writer.close();
rmSync(work, { recursive: true, force: true });
