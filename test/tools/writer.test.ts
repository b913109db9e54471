// The MergeXO writer imitation (tools/) must produce what MergeXO's own writer produces, as seen by a
// reader: same schema text, same JSON bytes in meta_json, same duration arithmetic, same lock file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { generate } from '../../bench/generate.mjs';
import {
  MergexoWriter,
  PINNED_NOW,
  WriterLockError,
  acquireLock,
  createMergexoDb,
  formatTs,
  pyJson,
  readLockOwner,
  releaseLock,
} from '../../tools/mergexo-writer.mjs';
import { main as simulateCli, simulate } from '../../tools/simulate.mjs';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const NOW = Date.parse(PINNED_NOW);

type Row = Record<string, unknown>;

let dir: string;
const open: Database.Database[] = [];
const track = (db: Database.Database) => (open.push(db), db);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mergexo-writer-'));
});
afterEach(() => {
  while (open.length) open.pop()?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function fresh(schema = 'current') {
  const file = path.join(dir, 'state.db');
  const db = track(createMergexoDb(file, { schema }));
  const writer = new MergexoWriter(db, { seed: 1, clock: () => NOW });
  const reader = track(new Database(file, { readonly: true, fileMustExist: true }));
  return { file, db, writer, reader };
}

function masterOf(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid').all();
  } finally {
    db.close();
  }
}

describe('schema', () => {
  it.each([
    ['current', 'small.db'],
    ['legacy', 'legacy.db'],
    ['legacy_obs_v1', 'legacy_obs_v1.db'],
  ])('%s DDL recreates the sqlite_master of %s', (schema, fixture) => {
    const { file } = fresh(schema);
    expect(masterOf(file)).toEqual(masterOf(path.join(FIXTURES, fixture)));
  });

  it('creates the file in WAL mode', () => {
    const { db } = fresh();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  });
});

describe('pyJson', () => {
  it("re-serialises every meta_json of MergeXO's fixture byte for byte", () => {
    const db = track(new Database(path.join(FIXTURES, 'small.db'), { readonly: true }));
    const rows = db.prepare('SELECT meta_json FROM agent_run_history').all() as { meta_json: string }[];
    expect(rows.length).toBeGreaterThan(30);
    for (const { meta_json } of rows) expect(pyJson(JSON.parse(meta_json))).toBe(meta_json);
  });

  it('escapes non-ASCII like ensure_ascii', () => {
    expect(pyJson({ b: 'é ✓ 😀\u007f', a: [1, 0.5, null] })).toBe(
      '{"a": [1, 0.5, null], "b": "\\u00e9 \\u2713 \\ud83d\\ude00\\u007f"}',
    );
  });
});

describe('formatTs', () => {
  it('writes the three MergeXO formats', () => {
    const t = Date.parse('2026-03-15T11:48:00.123Z') + 0.456;
    expect(formatTs(t, 'ms')).toBe('2026-03-15T11:48:00.123Z');
    expect(formatTs(t, 'us')).toBe('2026-03-15T11:48:00.123456Z');
    expect(formatTs(t, 's')).toBe('2026-03-15T11:48:00Z');
  });
});

describe('runs', () => {
  it('a started run is visible to a read-only reader before any checkpoint', () => {
    const { file, writer, reader } = fresh();
    const runId = writer.startRun({
      repo: 'acme/widgets',
      issue: 101,
      flow: 'design_doc',
      branch: 'agent/design/101-oauth',
      startedAt: '2026-03-15T11:48:00.000Z',
    });
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(0);
    const run = reader.prepare('SELECT * FROM agent_run_history WHERE run_id = ?').get(runId) as Row;
    expect(run).toMatchObject({
      run_kind: 'issue_flow',
      finished_at: null,
      started_at: '2026-03-15T11:48:00.000Z',
    });
    const meta = JSON.parse(run.meta_json as string);
    expect(meta.codex_active).toBe(true);
    expect(meta.codex_invocation_started_at).toBe('2026-03-15T11:48:03.000000Z');
    const issue = reader.prepare('SELECT status, active_run_id FROM issue_runs').get();
    expect(issue).toEqual({ status: 'running', active_run_id: runId });
  });

  it('progress rewrites meta_json only while the run is live', () => {
    const { writer, reader } = fresh();
    const runId = writer.startRun({ repo: 'a/b', issue: 1, startedAt: NOW - 60_000 });
    expect(writer.progress(runId, NOW - 1000.5)).toBe(true);
    const meta = () =>
      JSON.parse(
        (reader.prepare('SELECT meta_json FROM agent_run_history').get() as Row).meta_json as string,
      );
    expect(meta().last_progress_at).toBe('2026-03-15T11:59:58.999500Z');
    writer.finishRun(runId, { status: 'completed', finishedAt: NOW });
    expect(meta()).toMatchObject({ codex_active: false, codex_pid: null, run_phase: 'postprocess' });
    expect(writer.progress(runId, NOW + 5000)).toBe(false);
    expect(reader.prepare('SELECT active_run_id FROM issue_runs').get()).toEqual({ active_run_id: null });
  });

  it.each([
    ['2026-03-15T11:00:00.000Z', '2026-03-15T11:10:00.000000Z', 600],
    ['2026-03-15T11:00:00.250000Z', '2026-03-15T11:00:30Z', 29.75],
    ['2026-03-15T11:00:00Z', '2026-03-15T12:00:00.500Z', 3600.5],
    ['2026-03-15T11:00:00.000Z', '2026-03-15T10:59:00.000Z', 0],
  ])('duration_seconds from %s to %s is %d s, as julianday() computes it', (started, finished, seconds) => {
    const { writer, reader } = fresh();
    const runId = writer.startRun({ repo: 'a/b', issue: 1, startedAt: started });
    writer.finishRun(runId, {
      status: 'failed',
      failureClass: 'agent_error',
      error: 'x',
      finishedAt: finished,
    });
    const row = reader
      .prepare(
        `SELECT finished_at, duration_seconds AS d,
           MAX(0.0, (julianday(finished_at) - julianday(started_at)) * 86400.0) AS expected
         FROM agent_run_history`,
      )
      .get() as { finished_at: string; d: number; expected: number };
    expect(row.finished_at).toBe(finished);
    expect(row.d).toBe(row.expected);
    expect(row.d).toBeCloseTo(seconds, 3);
  });

  it('a feedback turn claims the PR, not the issue', () => {
    const { writer, reader } = fresh();
    writer.trackPr({ repo: 'a/b', issue: 7, prNumber: 1007, branch: 'agent/small/7-x', at: NOW - 3_600_000 });
    const runId = writer.startRun({
      repo: 'a/b',
      issue: 7,
      prNumber: 1007,
      runKind: 'feedback_turn',
      startedAt: NOW,
    });
    expect(reader.prepare('SELECT active_run_id FROM pr_feedback_state').get()).toEqual({
      active_run_id: runId,
    });
    expect(reader.prepare('SELECT status, active_run_id FROM issue_runs').get()).toEqual({
      status: 'awaiting_feedback',
      active_run_id: null,
    });
    const run = reader.prepare('SELECT flow, pr_number FROM agent_run_history').get();
    expect(run).toEqual({ flow: null, pr_number: 1007 });
  });
});

describe('pull requests and events', () => {
  it('transitions append history, skip no-ops, and move issue_runs along', () => {
    const { writer, reader } = fresh();
    writer.trackPr({ repo: 'a/b', issue: 7, prNumber: 1007, branch: 'agent/small/7-x', at: NOW - 3000 });
    writer.transitionPr('a/b', 1007, 7, undefined, 'blocked', null, 'git push rejected', NOW - 2000);
    expect(writer.transitionPr('a/b', 1007, 7, 'blocked', 'blocked', null, null, NOW - 1500)).toBe(false);
    writer.transitionPr('a/b', 1007, 7, 'blocked', 'awaiting_feedback', 'manual_unblock', null, NOW - 1000);
    const history = reader.prepare(
      'SELECT from_status, to_status, reason, detail FROM pr_status_history ORDER BY id',
    );
    expect(history.all()).toEqual([
      { from_status: null, to_status: 'awaiting_feedback', reason: 'issue_run_completed', detail: null },
      { from_status: 'awaiting_feedback', to_status: 'blocked', reason: null, detail: 'git push rejected' },
      { from_status: 'blocked', to_status: 'awaiting_feedback', reason: 'manual_unblock', detail: null },
    ]);
    expect(reader.prepare('SELECT status, error FROM issue_runs').get()).toEqual({
      status: 'awaiting_feedback',
      error: null,
    });
  });

  it('events are pending until processed, keyed as MergeXO keys them', () => {
    const { writer, reader } = fresh();
    const key = writer.addFeedbackEvent({
      repo: 'a/b',
      pr: 1007,
      issue: 7,
      commentId: 91,
      updatedAt: NOW - 5000,
    });
    expect(key).toBe('1007:review:91:2026-03-15T11:59:55Z');
    const pending = () =>
      (reader.prepare('SELECT count(*) AS n FROM feedback_events WHERE processed_at IS NULL').get() as Row).n;
    expect(pending()).toBe(1);
    expect(writer.processEvents({ repo: 'a/b', pr: 1007, at: NOW })).toBe(1);
    expect(pending()).toBe(0);
  });

  it('retention deletes finished runs and transitions older than the cutoff', () => {
    const { writer, reader } = fresh();
    const old = writer.startRun({ repo: 'a/b', issue: 1, startedAt: NOW - 100 * 86_400_000 });
    writer.finishRun(old, { status: 'completed', finishedAt: NOW - 99 * 86_400_000 });
    const liveOld = writer.startRun({ repo: 'a/b', issue: 2, startedAt: NOW - 100 * 86_400_000 });
    writer.trackPr({ repo: 'a/b', issue: 1, prNumber: 9, branch: 'b', at: NOW - 95 * 86_400_000 });
    expect(writer.deleteOlderThan({ days: 90, now: NOW })).toEqual({ runs: 1, transitions: 1 });
    expect(reader.prepare('SELECT run_id FROM agent_run_history').all()).toEqual([{ run_id: liveOld }]);
  });
});

describe('writer.lock', () => {
  it('holds the file MergeXO holds, with its fields, and refuses a second writer', () => {
    const lock = acquireLock(dir, { command: 'service' });
    const text = fs.readFileSync(path.join(dir, 'writer.lock'), 'utf8');
    // json.dumps(payload, sort_keys=True) + "\n"
    expect(text).toBe(`${pyJson(JSON.parse(text))}\n`);
    const payload = JSON.parse(text);
    expect(Object.keys(payload)).toEqual(['command', 'pid', 'started_at', 'token']);
    expect(payload).toMatchObject({ command: 'service', pid: process.pid });
    expect(payload.started_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(payload.token).toMatch(/^[0-9a-f]{32}$/);
    expect(readLockOwner(lock.path).pid).toBe(process.pid);
    expect(() => acquireLock(dir)).toThrow(WriterLockError);
    expect(releaseLock(lock)).toBe(true);
    expect(fs.existsSync(lock.path)).toBe(false);
  });

  it('reclaims a lock whose process is gone', () => {
    const file = path.join(dir, 'writer.lock');
    fs.writeFileSync(
      file,
      '{"command": "run", "pid": 2147483646, "started_at": "2026-01-01T00:00:00.000000Z"}',
    );
    const lock = acquireLock(dir);
    expect(readLockOwner(file).token).toBe(lock.token);
    releaseLock(lock);
  });
});

describe('simulate', () => {
  const dump = (db: Database.Database) =>
    ['agent_run_history', 'issue_runs', 'pr_feedback_state', 'pr_status_history', 'feedback_events']
      .map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()))
      .join('\n');

  it('is deterministic for a seed and keeps claims consistent', () => {
    const a = track(createMergexoDb(path.join(dir, 'a.db')));
    const b = track(createMergexoDb(path.join(dir, 'b.db')));
    const ra = simulate({ db: a, steps: 400, seed: 42, start: NOW - 400_000 });
    simulate({ db: b, steps: 400, seed: 42, start: NOW - 400_000 });
    expect(dump(a)).toBe(dump(b));
    expect(ra.now).toBe(NOW);
    expect(ra.counts.start_issue).toBeGreaterThan(0);
    const orphanClaims = a
      .prepare(
        `SELECT count(*) AS n FROM issue_runs r WHERE active_run_id IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM agent_run_history h WHERE h.run_id = r.active_run_id AND h.finished_at IS NULL)`,
      )
      .get();
    expect(orphanClaims).toEqual({ n: 0 });
  });
});

describe('simulate CLI', () => {
  it('creates the database and mergexo.toml, holds the lock while running and releases it', async () => {
    const base = path.join(dir, 'runtime');
    const workspace = path.join(dir, 'ws');
    const args = ['--base-dir', base, '--clock', 'virtual', '--seconds', '120', '--seed', '3', '--quiet'];
    expect(await simulateCli([...args, '--workspace', workspace])).toBe(0);
    expect(fs.existsSync(path.join(base, 'writer.lock'))).toBe(false);
    const toml = fs.readFileSync(path.join(workspace, 'mergexo.toml'), 'utf8');
    expect(toml).toContain(`base_dir = ${JSON.stringify(base)}`);
    expect(toml).toContain('[repo.widgets]\nowner = "acme"\n');
    const db = track(new Database(path.join(base, 'state.db'), { readonly: true }));
    expect((db.prepare('SELECT count(*) AS n FROM agent_run_history').get() as Row).n).toBeGreaterThan(0);

    const lock = acquireLock(base);
    try {
      await expect(simulateCli(args)).rejects.toThrow(WriterLockError);
    } finally {
      releaseLock(lock);
    }
  });

  it('writes the same rows with a connection per operation (as MergeXO) as with a held one', () => {
    const file = path.join(dir, 'per-op.db');
    createMergexoDb(file).close();
    simulate({ file, steps: 30, seed: 9, start: NOW });
    // Every operation closed its connection: the last close checkpointed and removed the WAL file.
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const held = track(createMergexoDb(path.join(dir, 'held.db')));
    simulate({ db: held, steps: 30, seed: 9, start: NOW });
    const perOp = track(new Database(file, { readonly: true }));
    const rows = (db: Database.Database) =>
      db.prepare('SELECT * FROM agent_run_history ORDER BY rowid').all();
    expect(rows(perOp)).toEqual(rows(held));
  });
});

describe('bench/generate', () => {
  it('writes the small database and a manifest that agrees with it', () => {
    const manifest = generate({ size: 'small', out: dir });
    const db = track(new Database(path.join(dir, 'small.db'), { readonly: true }));
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    expect(count('SELECT count(*) AS n FROM agent_run_history')).toBe(10_000);
    expect(manifest.journalMode).toBe('wal');
    expect(
      count(`SELECT count(*) AS n FROM agent_run_history WHERE finished_at IS NULL AND json_valid(meta_json)
               AND json_type(meta_json, '$.codex_active') = 'true'`),
    ).toBe(manifest.runs.liveCodexActive);
    expect(
      count("SELECT count(*) AS n FROM pr_feedback_state WHERE status IN ('awaiting_feedback', 'blocked')"),
    ).toBe(manifest.prs.tracked);
    expect(count('SELECT count(*) AS n FROM feedback_events WHERE processed_at IS NULL')).toBe(
      manifest.feedbackEvents.pending,
    );
    expect(masterOf(path.join(dir, 'small.db'))).toEqual(masterOf(path.join(FIXTURES, 'small.db')));
  });
});
