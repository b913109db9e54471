// The benchmark behind `npm run bench` (bench/run.mjs bundles this file and runs it with Node 24 and
// --expose-gc). It measures, on bench/data/{small,large}.db and both SQLite drivers:
//   - each data-layer query: as before the performance work (bench/straightforward.ts), optimised
//     without incremental state, optimised with warm incremental state, and the floors (the exact
//     statements each variant ran, replayed as plain prepared statements on the bare driver);
//   - one full refresh (readDashboard + metrics(30d), which includes the tracked list): straightforward,
//     cold (first read after opening), steady state (after the writer starts or finishes one run),
//     idle (nothing changed), and the idle poll (data_version + stat, and the extension's
//     ChangeDetector);
//   - the memory of a loop of refreshes, the size of the incremental state, the production bundle
//     sizes and the activation time of the extension bundle against a stub `vscode` module.
// Every figure is the median of repeated runs after a warm-up. The databases are copied to a temp
// directory first, because the steady-state runs write to them (as MergeXO would).
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { ChangeDetector } from '../src/data/changes';
import { MergexoDatabase } from '../src/data/database';
import { RunTracker } from '../src/data/incremental';
import type { Connection, DriverName, SqlValue, Statement } from '../src/data/sqlite';
import type { MetricsWindow, QueryScope } from '../src/data/types';
import { MergexoWriter } from '../tools/mergexo-writer.mjs';
import { startsAndFinishes } from './steady';
import { summarize, timeRuns, type Timing } from './timing';
import { measureOptimisations, type OptimisationResult } from './optimisations';
import { StraightforwardQueries, straightforwardRefresh } from './straightforward';

const ROOT = resolve(dirname(process.argv[1] ?? '.'), '..');
const DRIVERS: DriverName[] = ['better-sqlite3', 'node:sqlite'];
const STATUS_WINDOW: MetricsWindow = '24h';
const PANEL_WINDOW: MetricsWindow = '30d';
const requireHere = createRequire(join(ROOT, 'package.json'));

declare const gc: (() => void) | undefined;

// ---- small helpers -------------------------------------------------------------------------------------

function collect(): void {
  if (typeof gc === 'function') {
    gc();
    gc();
  }
}

function heapMb(): number {
  return process.memoryUsage().heapUsed / 2 ** 20;
}

interface Manifest {
  name: string;
  now: string;
  repos: string[];
  sizes: { runs: number };
}

function readManifest(size: string): Manifest {
  return JSON.parse(readFileSync(join(ROOT, 'bench', 'data', `${size}.json`), 'utf8')) as Manifest;
}

/** The statements one call ran, recorded through a wrapped connection, to be replayed bare. */
interface Recorded {
  sql: string;
  kind: 'all' | 'get';
  params: SqlValue[];
}

function recordingConnection(inner: Connection, log: { current: Recorded[] | null }): Connection {
  return {
    driver: inner.driver,
    path: inner.path,
    prepare(sql: string): Statement {
      const statement = inner.prepare(sql);
      return {
        all: (...params) => {
          log.current?.push({ sql, kind: 'all', params });
          return statement.all(...params);
        },
        get: (...params) => {
          log.current?.push({ sql, kind: 'get', params });
          return statement.get(...params);
        },
      };
    },
    readSnapshot: (fn) => inner.readSnapshot(fn),
    close: () => inner.close(),
  };
}

/** The bare driver: plain prepared statements returning arrays, the least a JS caller can pay. */
interface Bare {
  replay(statements: Recorded[]): void;
  close(): void;
}

function bareDriver(path: string, driver: DriverName): Bare {
  type RawStatement = { all(...p: SqlValue[]): unknown[]; get(...p: SqlValue[]): unknown };
  let prepare: (sql: string) => RawStatement;
  let exec: (sql: string) => void;
  let close: () => void;
  if (driver === 'better-sqlite3') {
    const Database = requireHere('better-sqlite3') as typeof import('better-sqlite3');
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.defaultSafeIntegers(true);
    prepare = (sql) => db.prepare(sql).raw(true) as unknown as RawStatement;
    exec = (sql) => void db.exec(sql);
    close = () => db.close();
  } else {
    const sqlite = requireHere('node:sqlite') as typeof import('node:sqlite');
    const db = new sqlite.DatabaseSync(path, { readOnly: true });
    prepare = (sql) => {
      const statement = db.prepare(sql);
      statement.setReadBigInts(true);
      statement.setReturnArrays(true);
      return statement as unknown as RawStatement;
    };
    exec = (sql) => db.exec(sql);
    close = () => db.close();
  }
  const cache = new Map<string, RawStatement>();
  return {
    replay(statements) {
      exec('BEGIN');
      try {
        for (const { sql, kind, params } of statements) {
          let statement = cache.get(sql);
          if (!statement) {
            statement = prepare(sql);
            cache.set(sql, statement);
          }
          if (kind === 'all') statement.all(...params);
          else statement.get(...params);
        }
      } finally {
        exec('COMMIT');
      }
    },
    close,
  };
}

/** What the views, the status bar and an open 30-day metrics panel read on one refresh. */
function fullRefresh(db: MergexoDatabase, nowMs: number): void {
  const scope: QueryScope = { repo: null, nowMs };
  db.readDashboard(scope, STATUS_WINDOW);
  db.queries.metrics(scope, PANEL_WINDOW);
}

/** The full refresh plus what the other sidebar views read on a tick (outcomes, failures, roadmaps). */
function extensionTick(queries: QueryLike, refresh: () => void, nowMs: number): void {
  const scope: QueryScope = { repo: null, nowMs };
  refresh();
  queries.roadmapLifecycleCounts(scope);
  queries.terminalOutcomes(scope, 51);
  queries.failedRuns(scope, 51);
  queries.roadmapBlockerAges(scope, 200);
}

type QueryLike = Pick<
  StraightforwardQueries,
  | 'repositories'
  | 'unfinishedRuns'
  | 'activeAgents'
  | 'trackedAndBlocked'
  | 'workCounts'
  | 'failures'
  | 'metrics'
  | 'overview'
  | 'terminalOutcomes'
  | 'failedRuns'
  | 'issueHistory'
  | 'prHistory'
  | 'knownNumbers'
  | 'operatorCommands'
  | 'roadmapLifecycleCounts'
  | 'roadmapBlockerAges'
>;

interface Sample {
  repo: string;
  issue: number;
  pr: number;
}

function queryList(sample: Sample): { name: string; run: (q: QueryLike, scope: QueryScope) => unknown }[] {
  return [
    { name: 'repositories', run: (q) => q.repositories() },
    { name: 'unfinishedRuns', run: (q, s) => q.unfinishedRuns(s) },
    { name: 'activeAgents', run: (q, s) => q.activeAgents(s) },
    { name: 'trackedAndBlocked', run: (q, s) => q.trackedAndBlocked(s) },
    { name: 'workCounts', run: (q, s) => q.workCounts(s) },
    { name: 'failures(24h)', run: (q, s) => q.failures(s, '24h') },
    { name: 'metrics(24h)', run: (q, s) => q.metrics(s, '24h') },
    { name: 'metrics(30d)', run: (q, s) => q.metrics(s, '30d') },
    { name: 'overview(24h)', run: (q, s) => q.overview(s, '24h') },
    { name: 'terminalOutcomes(200)', run: (q, s) => q.terminalOutcomes(s, 200) },
    { name: 'failedRuns(50)', run: (q, s) => q.failedRuns(s, 50) },
    { name: 'issueHistory', run: (q, s) => q.issueHistory(s, sample.issue) },
    { name: 'prHistory', run: (q, s) => q.prHistory(s, sample.pr) },
    { name: 'knownNumbers', run: (q, s) => q.knownNumbers(s) },
    { name: 'operatorCommands', run: (q, s) => q.operatorCommands(s, { issue: sample.issue }) },
    { name: 'roadmapLifecycleCounts', run: (q, s) => q.roadmapLifecycleCounts(s) },
    { name: 'roadmapBlockerAges', run: (q, s) => q.roadmapBlockerAges(s, 50) },
  ];
}

// ---- child: everything measured on one database with one driver --------------------------------------

interface DbResult {
  size: string;
  driver: DriverName;
  runs: number;
  queries: {
    name: string;
    straightforward: Timing;
    optimised: Timing;
    incremental: Timing;
    floorStraightforward: Timing;
    floorOptimised: Timing;
  }[];
  refresh: Record<string, Timing>;
  tick: Record<string, Timing>;
  state: { heapBytes: number; approxBytes: number; buckets: number; detailRows: number; builds: number };
}

function sampleOf(path: string, driver: DriverName): Sample {
  const db = MergexoDatabase.open(path, { driver, incremental: false });
  try {
    const pr = db.connection
      .prepare(
        `SELECT repo_full_name AS repo, pr_number, issue_number FROM pr_feedback_state
                 WHERE status = 'blocked' ORDER BY rowid LIMIT 1`,
      )
      .get();
    return { repo: String(pr?.repo), issue: Number(pr?.issue_number ?? 1), pr: Number(pr?.pr_number ?? 1) };
  } finally {
    db.close();
  }
}

function measureDatabase(size: string, path: string, driver: DriverName, runs: number, steadyRuns: number) {
  const manifest = readManifest(size);
  const startMs = Date.parse(manifest.now);
  let clock = startMs;
  const sample = sampleOf(path, driver);
  const bare = bareDriver(path, driver);
  const log: { current: Recorded[] | null } = { current: null };
  const record = (fn: () => void): Recorded[] => {
    log.current = [];
    fn();
    const statements = log.current;
    log.current = null;
    return statements;
  };
  const scopeNow = (): QueryScope => ({ repo: null, nowMs: clock });

  // Straightforward: the data layer as it was, on its own connection.
  const plain = MergexoDatabase.open(path, {
    driver,
    incremental: false,
    wrap: (c) => recordingConnection(c, log),
  });
  const straightforward = new StraightforwardQueries(plain.connection, plain.schema);
  // Optimised without incremental state, and optimised with it (both record their statements).
  const stateless = MergexoDatabase.open(path, {
    driver,
    incremental: false,
    wrap: (c) => recordingConnection(c, log),
  });
  const db = MergexoDatabase.open(path, { driver, wrap: (c) => recordingConnection(c, log) });
  fullRefresh(db, clock);

  const queries: DbResult['queries'] = [];
  for (const query of queryList(sample)) {
    const scope = scopeNow();
    const sfStatements = record(() => query.run(straightforward, scope));
    const optStatements = record(() => query.run(stateless.queries, scope));
    queries.push({
      name: query.name,
      straightforward: timeRuns(runs, 1, () => query.run(straightforward, scope)),
      optimised: timeRuns(runs, 1, () => query.run(stateless.queries, scope)),
      incremental: timeRuns(runs, 1, () => query.run(db.queries, scope)),
      floorStraightforward: timeRuns(runs, 1, () => bare.replay(sfStatements)),
      floorOptimised: timeRuns(runs, 1, () => bare.replay(optStatements)),
    });
  }

  const refresh: Record<string, Timing> = {};
  const sfRefresh = () => straightforwardRefresh(straightforward, scopeNow(), STATUS_WINDOW, PANEL_WINDOW);
  refresh.straightforward = timeRuns(runs, 1, sfRefresh);
  const sfRefreshStatements = record(sfRefresh);
  refresh.floorStraightforward = timeRuns(runs, 1, () => bare.replay(sfRefreshStatements));

  // Cold: a new connection, the first refresh (incremental state built from nothing).
  const openTimes: number[] = [];
  const coldTimes: number[] = [];
  let coldStatements: Recorded[] = [];
  for (let index = 0; index <= runs; index += 1) {
    const opened = performance.now();
    const fresh = MergexoDatabase.open(path, { driver, wrap: (c) => recordingConnection(c, log) });
    const started = performance.now();
    if (index === 0) coldStatements = record(() => fullRefresh(fresh, clock));
    else fullRefresh(fresh, clock);
    const ended = performance.now();
    if (index > 0) {
      openTimes.push(started - opened);
      coldTimes.push(ended - started);
    }
    fresh.close();
  }
  refresh.open = summarize(openTimes);
  refresh.cold = summarize(coldTimes);
  refresh.floorCold = timeRuns(runs, 1, () => bare.replay(coldStatements));

  // Steady state: the writer starts or finishes one run, two seconds pass, the extension refreshes.
  const writer = new MergexoWriter(path, { clock: () => clock, seed: 99 });
  const change = startsAndFinishes(writer, manifest.repos, 900_000, () => (clock += 2000));
  const steadySamples: number[] = [];
  let steadyStatements: Recorded[] = [];
  for (let index = 0; index < steadyRuns + 4; index += 1) {
    change();
    const started = performance.now();
    if (index === 3) steadyStatements = record(() => fullRefresh(db, clock));
    else fullRefresh(db, clock);
    if (index >= 4) steadySamples.push(performance.now() - started);
  }
  refresh.steady = summarize(steadySamples);
  refresh.floorSteady = timeRuns(runs, 1, () => bare.replay(steadyStatements));
  const idleSamples: number[] = [];
  for (let index = 0; index < steadyRuns + 2; index += 1) {
    clock += 2000;
    const started = performance.now();
    fullRefresh(db, clock);
    if (index >= 2) idleSamples.push(performance.now() - started);
  }
  refresh.idle = summarize(idleSamples);

  // The extension's tick: full refresh plus outcomes, failed runs and roadmaps.
  const tick: Record<string, Timing> = {};
  tick.straightforward = timeRuns(Math.min(runs, 3), 1, () =>
    extensionTick(straightforward, sfRefresh, clock),
  );
  const tickSamples: number[] = [];
  for (let index = 0; index < steadyRuns + 2; index += 1) {
    change();
    const started = performance.now();
    extensionTick(db.queries, () => fullRefresh(db, clock), clock);
    if (index >= 2) tickSamples.push(performance.now() - started);
  }
  tick.steady = summarize(tickSamples);

  // Idle poll: what the extension does every interval when nothing changed.
  refresh.pollBare = timeRuns(20_000, 1000, () => {
    db.dataVersion();
    statSync(path);
  });
  const detector = new ChangeDetector(path, (p) => MergexoDatabase.open(p, { driver }));
  detector.check();
  refresh.pollDetector = timeRuns(20_000, 1000, () => detector.check());
  detector.close();
  writer.close();

  // Size of the incremental state alone: heap before and after building a tracker.
  collect();
  const before = process.memoryUsage().heapUsed;
  let tracker: RunTracker | undefined = RunTracker.create(db.connection, db.schema);
  tracker!.metrics(scopeNow(), '30d');
  tracker!.metrics(scopeNow(), '24h');
  collect();
  const heapBytes = process.memoryUsage().heapUsed - before;
  const stats = tracker!.stats();
  tracker = undefined;
  // The first read's two plans, forced: one table scan, or one index range per repository.
  for (const plan of ['scan', 'index'] as const) {
    refresh[`build-${plan}`] = timeRuns(Math.min(runs, 3), 0, () =>
      RunTracker.create(db.connection, db.schema, { buildPlan: plan })!.metrics(scopeNow(), '30d'),
    );
  }
  const state = {
    heapBytes,
    approxBytes: stats.approxBytes,
    buckets: stats.buckets,
    detailRows: stats.detailRows,
    builds: db.tracker?.stats().builds ?? 0,
  };

  for (const handle of [plain, stateless, db]) handle.close();
  bare.close();
  const result: DbResult = { size, driver, runs, queries, refresh, tick, state };
  return result;
}

// ---- child: memory over a loop of refreshes --------------------------------------------------------------

function measureMemory(size: string, path: string, driver: DriverName, loops: number) {
  const manifest = readManifest(size);
  let clock = Date.parse(manifest.now);
  const db = MergexoDatabase.open(path, { driver });
  const writer = new MergexoWriter(path, { clock: () => clock, seed: 7 });
  const live: string[] = [];
  const heap: { at: number; heapMb: number; rssMb: number }[] = [];
  const mark = (at: number) => {
    collect();
    heap.push({ at, heapMb: heapMb(), rssMb: process.memoryUsage().rss / 2 ** 20 });
  };
  fullRefresh(db, clock);
  mark(0);
  const started = performance.now();
  for (let index = 1; index <= loops; index += 1) {
    clock += 2000;
    if (index % 2 === 1) {
      live.push(
        writer.startRun({
          repo: manifest.repos[index % manifest.repos.length]!,
          issue: 800_000 + index,
          startedAt: clock - 1000,
        }),
      );
    } else {
      writer.finishRun(live.shift()!, {
        status: index % 6 === 0 ? 'failed' : 'completed',
        finishedAt: clock,
      });
    }
    fullRefresh(db, clock);
    if (index === loops >> 1 || index === loops) mark(index);
  }
  const elapsed = performance.now() - started;
  const stats = db.tracker?.stats();
  writer.close();
  db.close();
  return {
    size,
    driver,
    loops,
    heap,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    meanRefreshMs: elapsed / loops,
    trackerApproxBytes: stats?.approxBytes ?? 0,
    builds: stats?.builds ?? 0,
  };
}

interface Activation {
  requireMs: number;
  activateMs: number;
  error: string | null;
}

// ---- child: activation of the production extension bundle against a stub vscode ---------------------------

function measureActivation(bundle: string, dbPath: string) {
  const Module = requireHere('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
  const originalLoad = Module._load;
  const vscode = vscodeStub(dbPath);
  Module._load = function (request: string, ...rest: unknown[]) {
    if (request === 'vscode') return vscode;
    return originalLoad.call(this, request, ...rest);
  };
  const started = performance.now();
  const extension = requireHere(bundle) as { activate: (context: unknown) => void };
  const loaded = performance.now();
  let error: string | null = null;
  try {
    extension.activate(contextStub());
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
  }
  const activated = performance.now();
  return { requireMs: loaded - started, activateMs: activated - loaded, error };
}

/** Any property is a callable, constructible stub that keeps what is assigned to it. */
function deepStub(name: string): unknown {
  const target = function () {} as unknown as Record<PropertyKey, unknown>;
  const assigned = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(_target, property) {
      if (assigned.has(property)) return assigned.get(property);
      if (property === 'then') return undefined;
      if (property === Symbol.toPrimitive) return () => name;
      if (property === Symbol.iterator) return function* () {};
      return deepStub(`${name}.${String(property)}`);
    },
    set(_target, property, value) {
      assigned.set(property, value);
      return true;
    },
    defineProperty(_target, property, descriptor) {
      assigned.set(property, descriptor.value ?? descriptor.get?.());
      return true;
    },
    apply: () => deepStub(`${name}()`),
    construct: () => deepStub(`new ${name}`) as object,
  });
}

function vscodeStub(dbPath: string): unknown {
  class EventEmitter<T> {
    private listeners: ((value: T) => void)[] = [];
    event = (listener: (value: T) => void) => {
      this.listeners.push(listener);
      return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
    };
    fire(value: T) {
      for (const listener of this.listeners) listener(value);
    }
    dispose() {
      this.listeners = [];
    }
  }
  class Disposable {
    constructor(private readonly fn: () => void = () => {}) {}
    static from(...items: { dispose(): void }[]) {
      return new Disposable(() => items.forEach((item) => item.dispose()));
    }
    dispose() {
      this.fn();
    }
  }
  const configuration = {
    get: (key: string, fallback?: unknown) => (key === 'stateDbPath' ? dbPath : fallback),
    inspect: (key: string) => (key === 'stateDbPath' ? { key, globalValue: dbPath } : { key }),
    has: () => false,
    update: async () => {},
  };
  const overrides: Record<string, unknown> = {
    EventEmitter,
    Disposable,
    workspace: new Proxy(
      { getConfiguration: () => configuration, isTrusted: true, workspaceFolders: [] },
      {
        get: (target, property) =>
          property in target
            ? target[property as keyof typeof target]
            : deepStub(`workspace.${String(property)}`),
      },
    ),
  };
  // esbuild's `import * as vscode` copies the module's own properties, so every top-level name of the
  // API (read from @types/vscode) must be an own property of the stub.
  const declarations = readFileSync(requireHere.resolve('@types/vscode/index.d.ts'), 'utf8');
  const api: Record<string, unknown> = {};
  for (const match of declarations.matchAll(
    /^\texport (?:class|enum|namespace|function|const|let|var) (\w+)/gm,
  )) {
    const name = match[1]!;
    api[name] = overrides[name] ?? deepStub(name);
  }
  return Object.assign(api, overrides);
}

function contextStub(): unknown {
  const memento = {
    get: (_key: string, fallback?: unknown) => fallback,
    update: async () => {},
    keys: () => [],
  };
  return new Proxy(
    {
      subscriptions: [] as unknown[],
      workspaceState: memento,
      globalState: { ...memento, setKeysForSync: () => {} },
      extension: { packageJSON: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) },
      extensionPath: ROOT,
      asAbsolutePath: (relative: string) => join(ROOT, relative),
    },
    {
      get: (target, property) =>
        property in target
          ? target[property as keyof typeof target]
          : deepStub(`context.${String(property)}`),
    },
  );
}

// ---- main: orchestration and the tables -------------------------------------------------------------

async function buildBundles(outDir: string) {
  const esbuild = requireHere('esbuild') as typeof import('esbuild');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const extension = join(outDir, 'extension.js');
  await esbuild.build({
    entryPoints: [join(ROOT, 'src', 'extension.ts')],
    outfile: extension,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['vscode', 'better-sqlite3'],
    minify: true,
    logLevel: 'error',
  });
  const webviews: { name: string; file: string }[] = [];
  const webviewRoot = join(ROOT, 'webview');
  if (existsSync(webviewRoot)) {
    for (const name of (await import('node:fs')).readdirSync(webviewRoot)) {
      const entry = ['main.tsx', 'main.ts'].map((file) => join(webviewRoot, name, file)).find(existsSync);
      if (!entry) continue;
      const file = join(outDir, 'webview', `${name}.js`);
      await esbuild.build({
        entryPoints: [entry],
        outfile: file,
        bundle: true,
        platform: 'browser',
        format: 'iife',
        target: 'es2022',
        minify: true,
        jsx: 'automatic',
        jsxImportSource: 'preact',
        loader: { '.css': 'css' },
        logLevel: 'error',
      });
      webviews.push({ name, file });
    }
  }
  const sizeOf = (file: string) => {
    const bytes = readFileSync(file);
    return { bytes: bytes.length, gzip: gzipSync(bytes).length };
  };
  return {
    extension: { file: extension, ...sizeOf(extension) },
    webviews: webviews.map((webview) => ({ ...webview, ...sizeOf(webview.file) })),
  };
}

function runChild(args: string[]): unknown {
  const script = process.argv[1]!;
  const result = spawnSync(process.execPath, ['--expose-gc', '--no-warnings', script, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`child ${args.join(' ')} failed with ${result.status}`);
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

function copyDatabase(size: string, dir: string): string {
  const source = join(ROOT, 'bench', 'data', `${size}.db`);
  const target = join(dir, `${size}.db`);
  for (const suffix of ['-wal', '-shm']) rmSync(target + suffix, { force: true });
  copyFileSync(source, target);
  if (existsSync(`${source}-wal`)) copyFileSync(`${source}-wal`, `${target}-wal`);
  return target;
}

const ms = (value: number) =>
  value >= 100
    ? value.toFixed(0)
    : value >= 10
      ? value.toFixed(1)
      : value >= 1
        ? value.toFixed(2)
        : value.toFixed(3);

function table(header: string[], rows: string[][]): string {
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
  ];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

async function main() {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      size: { type: 'string', multiple: true },
      driver: { type: 'string', multiple: true },
      path: { type: 'string' },
      bundle: { type: 'string' },
      runs: { type: 'string' },
      steady: { type: 'string' },
      loops: { type: 'string' },
      out: { type: 'string' },
      quick: { type: 'boolean' },
      optimisations: { type: 'boolean' },
    },
  });
  if (values.child === 'db') {
    const result = measureDatabase(
      values.size![0]!,
      values.path!,
      values.driver![0] as DriverName,
      Number(values.runs),
      Number(values.steady),
    );
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if (values.child === 'memory') {
    const result = measureMemory(
      values.size![0]!,
      values.path!,
      values.driver![0] as DriverName,
      Number(values.loops),
    );
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if (values.child === 'optimisations') {
    const size = values.size![0]!;
    const result = measureOptimisations(
      size,
      values.path!,
      values.driver![0] as DriverName,
      readManifest(size),
      Number(values.runs),
      Number(values.steady),
    );
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if (values.child === 'activate') {
    process.stdout.write(`${JSON.stringify(measureActivation(values.bundle!, values.path!))}\n`);
    // The activated extension holds its refresh timer and watchers; this process is done.
    process.exit(0);
  }

  const sizes = values.size ?? ['small', 'large'];
  const drivers = (values.driver ?? DRIVERS) as DriverName[];
  const loops = Number(values.loops ?? (values.quick ? 200 : 1000));
  for (const size of sizes) {
    if (!existsSync(join(ROOT, 'bench', 'data', `${size}.db`))) {
      console.error(`bench/data/${size}.db is missing: run \`npm run bench:data\` first.`);
      process.exit(2);
    }
  }
  const work = mkdtempSync(join(tmpdir(), 'mergexo-bench-'));
  const machine = {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    load: readFileSync('/proc/loadavg', 'utf8').trim(),
  };
  console.log(`Machine: ${machine.nproc} × ${machine.cpu}, ${machine.memoryGb} GB, Node ${machine.node}`);
  console.log(`Load average at start: ${machine.load}\n`);
  if (values.optimisations) {
    try {
      const found: OptimisationResult[] = [];
      for (const size of sizes) {
        for (const driver of drivers) {
          console.error(`optimisations on ${size} with ${driver} …`);
          found.push(
            runChild([
              '--child',
              'optimisations',
              '--size',
              size,
              '--driver',
              driver,
              '--path',
              copyDatabase(size, work),
              '--runs',
              String(values.runs ?? (size === 'large' ? 3 : 15)),
              '--steady',
              String(values.steady ?? (values.quick ? 15 : 40)),
            ]) as OptimisationResult,
          );
        }
      }
      console.log(renderOptimisations(found));
      const out = values.out ?? join(ROOT, 'out', 'bench-optimisations.json');
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, JSON.stringify({ machine, results: found }, null, 1));
      console.log(`\nRaw results: ${out}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    return;
  }
  const results: DbResult[] = [];
  const memory: ReturnType<typeof measureMemory>[] = [];
  try {
    for (const size of sizes) {
      const runs = Number(values.runs ?? (size === 'large' ? 3 : 15));
      const steady = Number(values.steady ?? (values.quick ? 15 : 40));
      for (const driver of drivers) {
        const path = copyDatabase(size, work);
        console.error(`measuring ${size} with ${driver} …`);
        results.push(
          runChild([
            '--child',
            'db',
            '--size',
            size,
            '--driver',
            driver,
            '--path',
            path,
            '--runs',
            String(runs),
            '--steady',
            String(steady),
          ]) as DbResult,
        );
        const memoryPath = copyDatabase(size, work);
        console.error(`memory loop ${size} with ${driver} …`);
        memory.push(
          runChild([
            '--child',
            'memory',
            '--size',
            size,
            '--driver',
            driver,
            '--path',
            memoryPath,
            '--loops',
            String(loops),
          ]) as ReturnType<typeof measureMemory>,
        );
      }
    }
    console.error('bundles and activation …');
    const bundles = await buildBundles(join(ROOT, 'out', 'bench-bundle'));
    const activationDb = copyDatabase(sizes.includes('small') ? 'small' : sizes[0]!, work);
    const activate = (dbPath: string) =>
      Array.from({ length: 5 }, () =>
        runChild(['--child', 'activate', '--bundle', bundles.extension.file, '--path', dbPath]),
      ) as Activation[];
    const activations = {
      withDatabase: activate(activationDb),
      withoutDatabase: activate(join(work, 'none.db')),
    };
    const report = render(machine, results, memory, bundles, activations);
    console.log(report);
    const out = values.out ?? join(ROOT, 'out', 'bench-results.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ machine, results, memory, bundles, activations }, null, 1));
    console.log(`\nRaw results: ${out}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** One table per optimisation: a row per variant, a column per database and driver (median ms). */
function renderOptimisations(results: OptimisationResult[]): string {
  const out: string[] = ['## Before/after of each optimisation, median ms\n'];
  const first = results[0];
  if (!first) return '';
  const groups = [...new Set(first.rows.map((row) => row.group))];
  for (const group of groups) {
    out.push(`\n### ${group}\n`);
    const labels = first.rows.filter((row) => row.group === group);
    out.push(
      table(
        ['', ...results.map((r) => `${r.size} · ${r.driver}`)],
        labels.map(({ label }) => [
          label,
          ...results.map((r) => {
            const row = r.rows.find((candidate) => candidate.group === group && candidate.label === label);
            return row ? ms(row.timing.median) : '—';
          }),
        ]),
      ),
    );
    const notes = labels.filter((row) => row.how).map((row) => `- ${row.label.trim()}: ${row.how}`);
    if (notes.length) out.push(`\nHow the "before" was made:\n${notes.join('\n')}`);
  }
  return out.join('\n');
}

function render(
  machine: Record<string, unknown>,
  results: DbResult[],
  memory: ReturnType<typeof measureMemory>[],
  bundles: Awaited<ReturnType<typeof buildBundles>>,
  activations: { withDatabase: Activation[]; withoutDatabase: Activation[] },
): string {
  const out: string[] = [];
  const find = (size: string, driver: string) => results.find((r) => r.size === size && r.driver === driver);
  out.push('## Full refresh (readDashboard + metrics(30d), tracked list included), median ms\n');
  const columns = results.map((r) => `${r.size} · ${r.driver}`);
  const row = (label: string, pick: (r: DbResult) => number) => [label, ...results.map((r) => ms(pick(r)))];
  out.push(
    table(
      ['', ...columns],
      [
        row('straightforward (as before)', (r) => r.refresh.straightforward!.median),
        row('  floor: same SQL, bare driver', (r) => r.refresh.floorStraightforward!.median),
        row('open (new connection)', (r) => r.refresh.open!.median),
        row('cold: first refresh', (r) => r.refresh.cold!.median),
        row('  floor: same SQL, bare driver', (r) => r.refresh.floorCold!.median),
        row('steady: after one run starts/finishes', (r) => r.refresh.steady!.median),
        row('  floor: same SQL, bare driver', (r) => r.refresh.floorSteady!.median),
        row('idle: nothing changed', (r) => r.refresh.idle!.median),
        row('incremental state build, table-scan plan', (r) => r.refresh['build-scan']!.median),
        row('incremental state build, index plan', (r) => r.refresh['build-index']!.median),
        row('idle poll: data_version + stat', (r) => r.refresh.pollBare!.median),
        row('idle poll: ChangeDetector.check()', (r) => r.refresh.pollDetector!.median),
        row('extension tick, straightforward', (r) => r.tick.straightforward!.median),
        row('extension tick, steady', (r) => r.tick.steady!.median),
      ],
    ),
  );
  out.push('\n## Targets\n');
  const targetRows: string[][] = [];
  for (const r of results) {
    const sf = r.refresh.straightforward!.median;
    const small = find('small', r.driver);
    targetRows.push([
      `${r.size} · ${r.driver}`,
      `1/${(sf / r.refresh.steady!.median).toFixed(0)}`,
      `1/${(sf / r.refresh.cold!.median).toFixed(1)}`,
      r.size === 'large' && small
        ? `${(r.refresh.steady!.median / small.refresh.steady!.median).toFixed(2)}×`
        : '—',
      ms(r.refresh.pollDetector!.median),
      `${(r.state.heapBytes / 2 ** 20).toFixed(1)} MB (${r.state.buckets} buckets)`,
    ]);
  }
  out.push(
    table(
      [
        '',
        'steady / straightforward (≤ 1/100)',
        'cold / straightforward (≤ 1/5)',
        'large steady / small steady (≤ 2×)',
        'idle poll ms (< 1)',
        'incremental state (< 50 MB)',
      ],
      targetRows,
    ),
  );
  out.push('\n## Each data-layer query, median ms\n');
  for (const r of results) {
    out.push(`\n### ${r.size} · ${r.driver} (${r.runs} runs after a warm-up)\n`);
    out.push(
      table(
        ['query', 'straightforward', 'floor', 'optimised, no state', 'floor', 'optimised, warm incremental'],
        r.queries.map((q) => [
          q.name,
          ms(q.straightforward.median),
          ms(q.floorStraightforward.median),
          ms(q.optimised.median),
          ms(q.floorOptimised.median),
          ms(q.incremental.median),
        ]),
      ),
    );
  }
  out.push('\n## Memory over a loop of refreshes (a run starts or finishes before each)\n');
  out.push(
    table(
      [
        '',
        'loops',
        'heap after GC: start / middle / end (MB)',
        'peak RSS (MB)',
        'mean refresh ms',
        'state (approx.)',
        'rebuilds',
      ],
      memory.map((m) => [
        `${m.size} · ${m.driver}`,
        String(m.loops),
        m.heap.map((h) => h.heapMb.toFixed(1)).join(' / '),
        m.peakRssMb.toFixed(0),
        ms(m.meanRefreshMs),
        `${(m.trackerApproxBytes / 2 ** 20).toFixed(1)} MB`,
        String(m.builds),
      ]),
    ),
  );
  out.push('\n## Bundles (production build, minified) and activation\n');
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
  out.push(
    table(
      ['bundle', 'size', 'gzip'],
      [
        ['extension.js', kb(bundles.extension.bytes), kb(bundles.extension.gzip)],
        ...bundles.webviews.map((w) => [`webview/${w.name}.js`, kb(w.bytes), kb(w.gzip)]),
      ],
    ),
  );
  for (const [label, runs] of [
    ['small.db configured', activations.withDatabase],
    ['no database found', activations.withoutDatabase],
  ] as const) {
    const requireTimes = summarize(runs.map((a) => a.requireMs));
    const activateTimes = summarize(runs.map((a) => a.activateMs));
    const errors = [...new Set(runs.map((a) => a.error).filter(Boolean))];
    out.push(
      `\nActivation, ${label} (production bundle, stub \`vscode\`, fresh process each, median of ` +
        `${runs.length}): require ${ms(requireTimes.median)} ms + activate() ${ms(activateTimes.median)} ms` +
        (errors.length ? ` — activate threw: ${errors.join('; ')}` : ''),
    );
  }
  void machine;
  return out.join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
