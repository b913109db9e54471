// Builders for every bad state.db the hardening issue lists. Each takes an empty folder of its own
// and returns the path of the state.db inside it; none touches the fixtures themselves.
//
// Writing goes through better-sqlite3 (the test's writer side) and every writer connection is closed
// before a builder returns, so a reader on the other driver never shares a file with it: two SQLite
// libraries in one process do not see each other's POSIX locks.
import Database from 'better-sqlite3';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { createMergexoDb, MergexoWriter } from '../../tools/mergexo-writer.mjs';
import { fixturePath } from './fixtures';

const STATE_DB = 'state.db';

function target(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return join(dir, STATE_DB);
}

/**
 * A fixture as one self-contained file: copied with its WAL, checkpointed, closed (SQLite then removes
 * the -wal and -shm). The header keeps WAL mode, as MergeXO leaves it.
 */
export function checkpointedCopy(fixture: string, dir: string): string {
  const file = target(dir);
  copyFileSync(fixturePath(fixture), file);
  if (existsSync(fixturePath(`${fixture}-wal`))) copyFileSync(fixturePath(`${fixture}-wal`), `${file}-wal`);
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return file;
}

/** Nothing at the path. */
export function missingFile(dir: string): string {
  return target(dir);
}

/** A folder named state.db. */
export function directoryFile(dir: string): string {
  const file = target(dir);
  mkdirSync(file);
  return file;
}

/** A file of zero bytes (touched by something that is not MergeXO). */
export function emptyFile(dir: string): string {
  const file = target(dir);
  writeFileSync(file, '');
  return file;
}

/** A text file that only has the name. */
export function textFile(dir: string): string {
  const file = target(dir);
  writeFileSync(file, '[runtime]\nbase_dir = "~/.local/share/mergexo"\n# not a database\n');
  return file;
}

/** small.db cut in half, as a copy interrupted by a full disk would leave it. */
export function truncatedFile(dir: string): string {
  const file = checkpointedCopy('small.db', dir);
  truncateSync(file, Math.floor(statSync(file).size / 2));
  return file;
}

/**
 * small.db with eight pages in the middle overwritten by garbage: the header and the schema are intact,
 * so it opens, and the damage shows when a query reaches those pages.
 */
export function corruptedFile(dir: string): string {
  const file = checkpointedCopy('small.db', dir);
  const pageSize = 4096;
  const pages = Math.floor(statSync(file).size / pageSize);
  const garbage = Buffer.alloc(pageSize * 8);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) & 0xff;
  const descriptor = openSync(file, 'r+');
  try {
    writeSync(descriptor, garbage, 0, garbage.length, Math.floor(pages / 2 - 4) * pageSize);
  } finally {
    closeSync(descriptor);
  }
  return file;
}

/** Written by an older MergeXO: no agent_run_history, pr_status_history or issue_runs.github_state. */
export function legacyFile(dir: string): string {
  return checkpointedCopy('legacy.db', dir);
}

/** What a newer MergeXO might add: tables, columns, an index, a view and a trigger we do not know. */
export const NEWER_SCHEMA_SQL = `
  CREATE TABLE agent_run_steps (
    run_id TEXT NOT NULL, step INTEGER NOT NULL, kind TEXT NOT NULL, payload_json TEXT,
    PRIMARY KEY (run_id, step));
  INSERT INTO agent_run_steps VALUES ('r1', 1, 'plan', '{"x": 1}');
  CREATE TABLE service_heartbeats (id INTEGER PRIMARY KEY, at TEXT NOT NULL);
  ALTER TABLE agent_run_history ADD COLUMN cost_usd REAL;
  ALTER TABLE agent_run_history ADD COLUMN model TEXT DEFAULT 'gpt-x';
  ALTER TABLE issue_runs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE pr_status_history ADD COLUMN actor TEXT;
  ALTER TABLE pr_feedback_state ADD COLUMN review_state TEXT;
  UPDATE agent_run_history SET cost_usd = 0.25;
  CREATE INDEX idx_runs_cost ON agent_run_history(cost_usd);
  CREATE VIEW expensive_runs AS SELECT run_id FROM agent_run_history WHERE cost_usd > 1;
  CREATE TRIGGER heartbeat_on_run AFTER INSERT ON agent_run_history
    BEGIN INSERT INTO service_heartbeats(at) VALUES (NEW.started_at); END;
`;

/** small.db with {@link NEWER_SCHEMA_SQL} applied. */
export function newerSchemaFile(dir: string): string {
  const file = checkpointedCopy('small.db', dir);
  const db = new Database(file);
  db.exec(NEWER_SCHEMA_SQL);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return file;
}

/**
 * A WAL-mode small.db alone (no -wal, no -shm) in a folder nobody may write to. The folder and the
 * file stay readable and searchable by everyone, so an unprivileged child process can try to read it.
 */
export function readOnlyFolderWithoutShm(dir: string): string {
  const file = checkpointedCopy('small.db', dir);
  chmodSync(file, 0o444);
  chmodSync(dir, 0o555);
  return file;
}

/** Undoes {@link readOnlyFolderWithoutShm}'s permissions so the folder can be removed. */
export function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
}

export interface WalContent {
  file: string;
  /** Rows of agent_run_history that exist only in the -wal (not yet checkpointed into state.db). */
  walOnlyRuns: number;
  totalRuns: number;
}

/**
 * A database whose last commits live only in its -wal: a writer (imitating MergeXO) commits with
 * automatic checkpoints off, and the files are copied while it is idle, as a crash or a copy of a
 * live base dir leaves them. `withShm: false` drops the -shm, as after a crash that lost it.
 */
export function walWithContent(dir: string, options: { withShm: boolean }): WalContent {
  const file = target(dir);
  const staging = join(dir, 'writer');
  mkdirSync(staging);
  const source = join(staging, STATE_DB);
  const db = createMergexoDb(source);
  const writer = new MergexoWriter(db, { seed: 21 });
  for (let issue = 1; issue <= 5; issue++) writer.startRun({ repo: 'acme/widgets', issue, flow: 'bugfix' });
  writer.checkpoint('TRUNCATE');
  db.pragma('wal_autocheckpoint = 0');
  const live: string[] = [];
  for (let issue = 6; issue <= 12; issue++) {
    live.push(writer.startRun({ repo: 'acme/widgets', issue, flow: 'bugfix', branch: `agent/${issue}` }));
  }
  writer.finishRun(live[0]!, { status: 'completed' });
  writer.trackPr({ repo: 'acme/widgets', issue: 6, prNumber: 606, branch: 'agent/6' });
  writer.progress(live[1]!, undefined, { run_phase: 'tests' });
  copyFileSync(source, file);
  copyFileSync(`${source}-wal`, `${file}-wal`);
  if (options.withShm) copyFileSync(`${source}-shm`, `${file}-shm`);
  db.close();
  return { file, walOnlyRuns: 7, totalRuns: 12 };
}

/**
 * Replaces `file` by another database the way a re-initialised MergeXO or a restored backup does:
 * written beside it, then renamed over it (a new inode at the same path), side files removed.
 */
export function replaceWith(file: string, fixture: string): void {
  const dir = join(file, '..', `.replacement-${Date.now()}`);
  const fresh = checkpointedCopy(fixture, dir);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(`${file}${suffix}`)) renameSync(`${file}${suffix}`, join(dir, `old${suffix}`));
  }
  renameSync(fresh, file);
}

/** The clock the malformed and hostile databases are written at (the fixtures' pinned now). */
export const DATA_NOW_MS = Date.parse('2026-03-15T12:00:00.000Z');

export interface MalformedData {
  file: string;
  /** Run ids MergeXO counts as active agents (finished_at NULL, meta_json an object, codex_active true). */
  active: string[];
  /** Expected elapsed seconds of some active runs at DATA_NOW_MS. */
  elapsed: Record<string, number>;
}

/** 100 kB of text mixing what breaks layouts: emoji, right-to-left, control characters, NUL. */
export const HUGE_TEXT =
  `Traceback 🚀 \u202Eevil\u202C \u0007\u001b[2J\u0000 ${'line of output\n'.repeat(6700)}`.slice(0, 100_000);

/**
 * Rows no well-behaved MergeXO writes but a damaged, hand-edited or future one could: meta_json
 * that is not JSON, an array, `null`, `codex_active` as a string or a number, NaN inside (Python's
 * json accepts it); timestamps in all three formats, SQLite's space form and garbage; finished before
 * started; NULL, negative and text durations; 100 kB texts; the same issue number in two repositories.
 */
export function malformedDataFile(dir: string): MalformedData {
  const file = target(dir);
  const db = createMergexoDb(file);
  const insert = db.prepare(
    `INSERT INTO agent_run_history(run_id, repo_full_name, run_kind, issue_number, pr_number, flow, branch,
       started_at, finished_at, terminal_status, failure_class, error, duration_seconds, meta_json)
     VALUES (@id, @repo, 'issue_flow', @issue, NULL, 'bugfix', @branch, @started, @finished, @status,
       @failure, @error, @duration, @meta)`,
  );
  const active = '{"codex_active": true, "last_prompt": "fix it"}';
  const row = (id: string, values: Record<string, unknown>) =>
    insert.run({
      id,
      repo: 'acme/widgets',
      issue: 1,
      branch: `agent/${id}`,
      started: '2026-03-15T11:50:00.000Z',
      finished: null,
      status: null,
      failure: null,
      error: null,
      duration: null,
      meta: active,
      ...values,
    });
  let issue = 10;
  // meta_json in every shape; only `codex_active` exactly true counts.
  row('meta-not-json', { issue: ++issue, meta: '{codex_active: true' });
  row('meta-array', { issue: ++issue, meta: '[{"codex_active": true}]' });
  row('meta-null', { issue: ++issue, meta: 'null' });
  row('meta-empty', { issue: ++issue, meta: '' });
  row('meta-string-true', { issue: ++issue, meta: '{"codex_active": "true"}' });
  row('meta-number', { issue: ++issue, meta: '{"codex_active": 1}' });
  row('meta-false', { issue: ++issue, meta: '{"codex_active": false}' });
  row('meta-missing-key', { issue: ++issue, meta: '{"codex_pid": 12}' });
  row('meta-nan', { issue: ++issue, meta: '{"codex_active": true, "codex_timeout_seconds": NaN}' });
  row('meta-wrong-types', {
    issue: ++issue,
    meta: '{"codex_active": true, "last_prompt": 42, "codex_pid": "x", "last_progress_at": {"a": 1}}',
  });
  // Timestamps: all three formats, SQLite's own, and garbage.
  row('ts-ms', { issue: ++issue, started: '2026-03-15T11:50:00.123Z' });
  row('ts-us', { issue: ++issue, started: '2026-03-15T11:50:00.123456Z' });
  row('ts-s', { issue: ++issue, started: '2026-03-15T11:50:00Z' });
  row('ts-sqlite', { issue: ++issue, started: '2026-03-15 11:50:00' });
  row('ts-garbage', { issue: ++issue, started: 'yesterday, around lunch' });
  row('ts-empty', { issue: ++issue, started: '' });
  row('ts-future', { issue: ++issue, started: '2026-03-16T12:00:00.000Z' });
  row('ts-month-13', { issue: ++issue, started: '2026-13-45T99:99:99Z' });
  // The same issue number in two repositories: two agents, two histories.
  row('same-issue-widgets', { issue: 7 });
  row('same-issue-docs', { issue: 7, repo: 'octo/docs' });
  // Texts that break layouts, on an active run.
  row('huge-texts', {
    issue: ++issue,
    branch: `agent/🚀\u202Ertl\u0007${'b'.repeat(300)}`,
    meta: JSON.stringify({ codex_active: true, last_prompt: HUGE_TEXT, codex_mode: '\u0000\u001b[31m' }),
  });
  // Finished runs: durations and timestamps MergeXO would never write.
  const finished = (id: string, values: Record<string, unknown>) =>
    row(id, {
      issue: ++issue,
      meta: '{"codex_active": false}',
      status: 'failed',
      failure: 'agent_error',
      ...values,
    });
  finished('finished-before-started', {
    started: '2026-03-15T11:00:00.000Z',
    finished: '2026-03-15T10:00:00.000Z',
    error: HUGE_TEXT,
  });
  finished('null-duration', { finished: '2026-03-15T11:55:00.000Z', status: 'completed', failure: null });
  finished('negative-duration', { finished: '2026-03-15T11:55:00.000Z', duration: -50 });
  finished('text-duration', { finished: '2026-03-15T11:56:00.000Z', duration: 'slow' });
  finished('garbage-finished', { finished: 'not a time', duration: 12 });
  finished('huge-error', {
    finished: '2026-03-15T11:57:00.000Z',
    duration: 420,
    failure: '\u202Etests_failed🚀',
    error: HUGE_TEXT,
  });
  finished('same-issue-finished', {
    issue: 7,
    repo: 'octo/docs',
    finished: '2026-03-15T11:58:00Z',
    duration: 30,
  });
  // Tracked and blocked rows with the same texts.
  const writer = new MergexoWriter(db, { clock: () => DATA_NOW_MS - 60_000, seed: 9 });
  writer.trackPr({ repo: 'acme/widgets', issue: 7, prNumber: 70, branch: 'agent/7' });
  writer.trackPr({ repo: 'octo/docs', issue: 7, prNumber: 70, branch: 'agent/7' });
  writer.transitionPr({
    repo: 'octo/docs',
    pr: 70,
    issue: 7,
    to: 'blocked',
    reason: HUGE_TEXT,
    detail: HUGE_TEXT,
  });
  writer.awaitFollowup({
    repo: 'acme/widgets',
    issue: 8,
    flow: 'bugfix',
    branch: '',
    waitingReason: `${HUGE_TEXT}\nsecond line`,
  });
  db.prepare("UPDATE issue_runs SET updated_at = 'garbage' WHERE issue_number = 8").run();
  db.close();
  return {
    file,
    active: [
      'meta-nan',
      'meta-wrong-types',
      'ts-ms',
      'ts-us',
      'ts-s',
      'ts-sqlite',
      'ts-garbage',
      'ts-empty',
      'ts-future',
      'ts-month-13',
      'same-issue-widgets',
      'same-issue-docs',
      'huge-texts',
    ].sort(),
    elapsed: {
      'ts-ms': 599.877,
      'ts-us': 599.877,
      'ts-s': 600,
      'ts-sqlite': 600,
      'ts-garbage': 0,
      'ts-empty': 0,
      'ts-future': 0,
      'ts-month-13': 0,
    },
  };
}

/**
 * One database holding `texts` in every text column a view, panel, status bar or CLI shows: repository
 * names, branches, flows, run kinds' companions, prompts and other meta fields, errors, failure
 * classes, blocked and waiting reasons, PR transition reasons and details, operator commands (author,
 * command, result), runtime operations and roadmap nodes. Issue numbers start at 100.
 */
export function hostileDataFile(dir: string, texts: readonly string[]): string {
  const file = target(dir);
  const db = createMergexoDb(file);
  let tick = 0;
  const writer = new MergexoWriter(db, { clock: () => DATA_NOW_MS - 3_600_000 + ++tick * 1000, seed: 5 });
  texts.forEach((text, index) => {
    const issue = 100 + index * 10;
    // Half the rows live under a hostile repository name, half under a valid one. (Names come from
    // MergeXO's config, so a 100 kB one is not realistic; long texts go in the other columns.)
    const repo = index % 2 === 0 && text.length <= 200 ? text : 'acme/widgets';
    const meta = {
      last_prompt: text,
      codex_mode: text,
      codex_session_id: text,
      run_phase: text,
      last_progress_at: text,
      codex_invocation_started_at: text,
    };
    writer.startRun({ repo, issue, flow: text, branch: text, meta });
    const failed = writer.startRun({ repo, issue: issue + 1, flow: text, branch: text, meta });
    writer.finishRun(failed, { status: 'failed', failureClass: text, error: text });
    writer.trackPr({ repo, issue: issue + 2, prNumber: issue + 2, branch: text, headSha: text });
    writer.transitionPr({ repo, pr: issue + 2, issue: issue + 2, to: 'blocked', reason: text, detail: text });
    writer.addFeedbackEvent({ repo, pr: issue + 2, issue: issue + 2, commentId: issue });
    writer.trackPr({ repo, issue: issue + 3, prNumber: issue + 3, branch: text });
    writer.awaitFollowup({ repo, issue: issue + 4, flow: text, branch: text, waitingReason: text });
    writer.markIssue({ repo, issue: issue + 5, status: 'merged', branch: text, prNumber: issue + 5 });
    writer.operatorCommand({
      repo,
      issue: issue + 2,
      pr: issue + 2,
      commentId: issue,
      author: text,
      command: text,
      status: 'rejected',
      result: text,
    });
    writer.upsertRoadmap({ repo, issue: issue + 6, status: 'active' });
    writer.upsertRoadmapNode({
      repo,
      roadmap: issue + 6,
      nodeId: text,
      title: text,
      status: 'blocked',
      childIssue: issue + 7,
    });
  });
  writer.runtimeOperation({
    status: 'completed',
    detail: texts.join(' '),
    requestedBy: texts[0],
    mode: texts[1],
  });
  db.close();
  return file;
}
