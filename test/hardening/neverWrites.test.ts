// Never writes: a whole session of refreshes (every window and repository filter, metrics, histories,
// timelines, roadmaps, the panels' snapshots, the CLI, the extension's data session, change checks)
// leaves state.db and state.db-wal byte-identical, and only reads are ever handed to SQLite: checked
// on the data layer's `onPrepare` hook, below it on both drivers' own entry points, and by SQLite
// itself (sqlite3_stmt_readonly, a connection opened read-only).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main';
import { ChangeDetector } from '../../src/data/changes';
import { chartSeries, metricSamples } from '../../src/data/charts';
import { MergexoDatabase } from '../../src/data/database';
import { openReadOnly, sqliteResultCode, SQLITE_CODES, type DriverName } from '../../src/data/sqlite';
import { readTimeline } from '../../src/data/timeline';
import { WINDOWS, type QueryScope } from '../../src/data/types';
import { DashboardStore } from '../../src/host/dashboard';
import { MergexoSession } from '../../src/host/dataSession';
import { memoryLog } from '../../src/log';
import { readMetricsSnapshot } from '../../src/panels/snapshots';
import { checkpointedCopy, walWithContent } from '../support/badFiles';
import { fixturePath } from '../support/fixtures';
import { fileHash, recordDriverCalls, whyNotARead, type DriverCall } from './support/readAudit';

const root = mkdtempSync(join(tmpdir(), 'mergexo-never-writes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const NOW = Date.parse('2026-03-15T12:00:00.000Z');
const DRIVERS: DriverName[] = ['better-sqlite3', 'node:sqlite'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the read allow-list', () => {
  it('accepts the reads the data layer uses', () => {
    for (const sql of [
      'SELECT 1',
      "WITH t AS (SELECT 1 AS x) SELECT x FROM t WHERE 'DELETE' <> 'x'",
      'SELECT name FROM pragma_table_info(?)',
      'PRAGMA data_version',
      'PRAGMA table_info(issue_runs)',
      'PRAGMA busy_timeout = 250',
      'BEGIN',
      'COMMIT',
      'SELECT updated_at, last_update FROM issue_runs',
    ]) {
      expect(whyNotARead(sql), sql).toBeUndefined();
    }
  });

  it('refuses every kind of write, transaction upgrade and side-effect pragma', () => {
    for (const sql of [
      "INSERT INTO issue_runs(repo_full_name) VALUES ('x')",
      'UPDATE issue_runs SET status = 1',
      'DELETE FROM issue_runs',
      'REPLACE INTO issue_runs VALUES (1)',
      'WITH t AS (SELECT 1) DELETE FROM issue_runs',
      'SELECT 1; DELETE FROM issue_runs',
      'CREATE TEMP TABLE t(x)',
      "ATTACH 'x.db' AS x",
      'PRAGMA journal_mode = WAL',
      'PRAGMA wal_checkpoint(TRUNCATE)',
      'PRAGMA user_version = 3',
      'BEGIN IMMEDIATE',
      'BEGIN EXCLUSIVE',
      'ROLLBACK',
      'VACUUM',
      "SELECT load_extension('evil')",
    ]) {
      expect(whyNotARead(sql), sql).toBeDefined();
    }
  });
});

/** Everything the extension, the panels and the CLI read, on one file. */
async function fullSession(file: string, driver: DriverName, onPrepare: (sql: string) => void) {
  const db = MergexoDatabase.open(file, { driver, onPrepare });
  const repos = db.queries.repositories();
  const filters = [null, ...repos];
  let reads = 0;
  for (const repo of filters) {
    const scope: QueryScope = { repo, nowMs: NOW };
    for (const window of WINDOWS) {
      db.readDashboard(scope, window);
      db.queries.metrics(scope, window);
      db.queries.metricsFromScratch(scope, window);
      db.queries.overview(scope, window);
      const samples = metricSamples(db, scope, window);
      if (samples.ok) chartSeries(samples.value, NOW, window);
      readMetricsSnapshot(db, { window, repo }, NOW);
      reads += 7;
    }
    db.queries.terminalOutcomes(scope, 50);
    db.queries.failedRuns(scope, 50);
    db.queries.roadmapLifecycleCounts(scope);
    db.queries.roadmapBlockerAges(scope, 50);
    const { issues, prs } = db.queries.knownNumbers(scope);
    for (const issue of issues) {
      db.queries.issueHistory({ repo: issue.repo, nowMs: NOW }, issue.number);
      db.queries.operatorCommands({ repo: issue.repo, nowMs: NOW }, { issue: issue.number });
      readTimeline(db, { kind: 'issue', repo: issue.repo, number: Number(issue.number) }, NOW);
    }
    for (const pr of prs) {
      db.queries.prHistory({ repo: pr.repo, nowMs: NOW }, pr.number);
      readTimeline(db, { kind: 'pr', repo: pr.repo, number: Number(pr.number) }, NOW);
    }
    reads += 4 + 3 * issues.length + 2 * prs.length;
  }
  db.queries.runtimeOperations('2026-01-01T00:00:00.000Z', '2026-12-31T00:00:00.000Z');
  db.schemaGaps();
  db.close();

  // The change detector, polled many times, and refreshing on every change it reports.
  const detector = new ChangeDetector(file, (path) => MergexoDatabase.open(path, { driver, onPrepare }));
  for (let i = 0; i < 60; i++) {
    const check = detector.check();
    expect(['reopened', 'unchanged']).toContain(check.kind);
    if (check.kind === 'reopened') detector.database!.readDashboard({ repo: null, nowMs: NOW }, '24h');
  }
  detector.close();

  // The CLI, every section.
  for (const section of ['overview', 'agents', 'tracked', 'outcomes', 'metrics', 'repos', 'roadmaps']) {
    const out: string[] = [];
    const code = runCli(['--db', file, '--driver', driver, '--now', '2026-03-15T12:00:00Z', section], {
      stdout: (text) => out.push(text),
      stderr: (text) => out.push(text),
      cwd: root,
    });
    expect([0, 3], `${section}: ${out.join('')}`).toContain(code);
  }

  // The extension's data session and shared dashboard, polling for a while.
  const session = new MergexoSession({
    settings: () => ({
      stateDbPath: file,
      refreshIntervalSeconds: 0.25,
      repository: '',
      metricsWindow: null,
    }),
    folders: () => [],
    memento: { get: () => undefined, update: async () => undefined },
    log: memoryLog(),
    driver,
    home: join(root, 'home'),
    now: () => NOW,
    watchFiles: false,
  });
  const store = new DashboardStore(
    session,
    { stallThresholdSeconds: () => 600, probeService: true },
    memoryLog(),
  );
  session.start();
  for (let i = 0; i < 8 && session.state.kind !== 'open'; i++) await sleep(50);
  expect(session.state.kind).toBe('open');
  expect(store.current()).toBeDefined();
  await sleep(800);
  store.current();
  store.dispose();
  session.dispose();
  return reads;
}

function audit(calls: DriverCall[], prepared: string[]) {
  const refused = [...new Set([...prepared, ...calls.map((call) => call.sql)])]
    .map((sql) => ({ sql, why: whyNotARead(sql) }))
    .filter((entry) => entry.why !== undefined);
  expect(refused).toEqual([]);
  const better = calls.filter((call) => call.driver === 'better-sqlite3');
  expect(better.filter((call) => call.connectionReadonly !== true)).toEqual([]);
  expect(better.filter((call) => call.method === 'prepare' && call.readonly !== true)).toEqual([]);
}

/** The fixture as it sits in test/fixtures: state.db with the -wal and -shm beside it. */
function copyWithSideFiles(fixture: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'state.db');
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(fixturePath(`${fixture}${suffix}`)))
      copyFileSync(fixturePath(`${fixture}${suffix}`), `${file}${suffix}`);
  }
  return file;
}

describe.each(DRIVERS)('a full session of refreshes (%s)', (driver) => {
  it('leaves a copy of small.db (with its -wal and -shm) byte-identical and prepares only reads', async () => {
    const file = copyWithSideFiles('small.db', join(root, `small-${driver}`));
    const before = { db: fileHash(file), wal: fileHash(`${file}-wal`) };
    expect(before.wal).not.toBe('absent');
    const prepared: string[] = [];
    const recorder = recordDriverCalls();
    let reads: number;
    try {
      reads = await fullSession(file, driver, (sql) => prepared.push(sql));
    } finally {
      recorder.restore();
    }
    expect(reads).toBeGreaterThan(200);
    expect(prepared.length).toBeGreaterThan(50);
    // The recorder sits under the data layer: it saw this driver's statements.
    expect(recorder.calls.filter((call) => call.driver === driver).length).toBeGreaterThan(50);
    audit(recorder.calls, prepared);
    expect({ db: fileHash(file), wal: fileHash(`${file}-wal`) }).toEqual(before);
    console.log(
      `[${driver}] ${reads} reads; ${new Set(prepared).size} distinct statements prepared, ` +
        `${recorder.calls.length} driver calls, all reads`,
    );
  });

  it('leaves a WAL-mode database whose last commits live only in its -wal byte-identical', async () => {
    const { file, totalRuns, walOnlyRuns } = walWithContent(join(root, `wal-${driver}`), { withShm: true });
    const before = { db: fileHash(file), wal: fileHash(`${file}-wal`) };
    expect(before.wal).not.toBe('absent');
    const prepared: string[] = [];
    const recorder = recordDriverCalls();
    try {
      // The commits in the -wal are visible to the reader (it reads the WAL, never folds it in).
      const db = MergexoDatabase.open(file, { driver, onPrepare: (sql) => prepared.push(sql) });
      const runs = Number(db.connection.prepare('SELECT count(*) AS n FROM agent_run_history').get()?.n);
      expect(runs).toBe(totalRuns);
      expect(walOnlyRuns).toBeGreaterThan(0);
      db.close();
      await fullSession(file, driver, (sql) => prepared.push(sql));
    } finally {
      recorder.restore();
    }
    audit(recorder.calls, prepared);
    expect({ db: fileHash(file), wal: fileHash(`${file}-wal`) }).toEqual(before);
  });

  it('adds nothing but the empty -wal and the -shm a WAL reader needs beside a lone state.db', async () => {
    const file = checkpointedCopy('small.db', join(root, `lone-${driver}`));
    const before = fileHash(file);
    expect(existsSync(`${file}-wal`)).toBe(false);
    await fullSession(file, driver, () => undefined);
    expect(fileHash(file)).toBe(before);
    // SQLite opens (creating if needed) the -wal of a WAL database even to read; it stays empty.
    expect(statSync(`${file}-wal`).size).toBe(0);
    expect(readdirSync(join(file, '..')).sort()).toEqual(['state.db', 'state.db-shm', 'state.db-wal']);
  });

  it('opens connections SQLite itself refuses to write through', () => {
    const file = checkpointedCopy('small.db', join(root, `readonly-${driver}`));
    const before = fileHash(file);
    const connection = openReadOnly(file, { driver });
    let error: unknown;
    try {
      // RETURNING makes the insert return rows, so `all()` runs it on either driver.
      connection
        .prepare(
          "INSERT INTO issue_runs(repo_full_name, issue_number) VALUES ('x/y', 1) RETURNING issue_number",
        )
        .all();
    } catch (caught) {
      error = caught;
    } finally {
      connection.close();
    }
    expect(sqliteResultCode(error)).toBe(SQLITE_CODES.READONLY);
    expect(fileHash(file)).toBe(before);
  });
});
