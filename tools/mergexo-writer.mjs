// A test-side imitation of MergeXO's state writer.
//
// MergeXO (a Python service) keeps its state in `<base_dir>/state.db`, SQLite in WAL mode with
// synchronous=NORMAL, written by one process. This module writes the same rows the same way so that
// live-refresh tests, soak tests, benchmarks and demos can exercise our reader against a moving file:
//
// - `createMergexoDb(path, { schema })` makes a new database from the DDL dumped from the fixtures.
// - `MergexoWriter` mirrors the calls MergeXO's orchestrator makes (start a run, rewrite its meta_json,
//   finish it, track a PR, move it between statuses, ingest and process feedback events, wait for an
//   issue follow-up, operator commands, runtime operations, retention, checkpoint). Every call is one
//   short IMMEDIATE transaction, as MergeXO's `with self._connect()` blocks are.
// - `acquireLock(baseDir)` / `releaseLock()` hold `<base_dir>/writer.lock` exactly as MergeXO's
//   process_lock.py does (file name, JSON fields, O_EXCL creation, stale-owner reclaim).
//
// Timestamps follow MergeXO's three formats: SQLite-made columns (`strftime('%Y-%m-%dT%H:%M:%fZ')`,
// milliseconds), Python-made values inside meta_json and the lock file (microseconds) and GitHub-made
// values (whole seconds). Every method takes `at` as a Date, epoch milliseconds or an ISO string; a
// string is written verbatim (so a test can store any exact text), a Date or number is formatted.
//
// It is test tooling: plain ES module with JSDoc so it runs on Node without a build step. Types for
// TypeScript callers are in mergexo-writer.d.mts next to this file.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Database from 'better-sqlite3';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The clock the fixtures were written with; benchmarks and virtual-clock simulations default to it. */
export const PINNED_NOW = '2026-03-15T12:00:00.000Z';

/** DDL files next to this module, dumped verbatim from the fixtures written by MergeXO. */
export const SCHEMA_FILES = Object.freeze({
  current: path.join(HERE, 'mergexo-schema.sql'),
  legacy: path.join(HERE, 'mergexo-schema-legacy.sql'),
  legacy_obs_v1: path.join(HERE, 'mergexo-schema-legacy-obs-v1.sql'),
});

/** MergeXO's lock file name (process_lock.py `_WRITER_LOCK_FILENAME`). */
export const WRITER_LOCK_FILENAME = 'writer.lock';

export const RUN_KINDS = Object.freeze([
  'issue_flow',
  'implementation_flow',
  'pre_pr_followup',
  'feedback_turn',
]);
export const TERMINAL_STATUSES = Object.freeze([
  'completed',
  'failed',
  'blocked',
  'merged',
  'closed',
  'interrupted',
]);
export const FAILURE_CLASSES = Object.freeze([
  'agent_error',
  'tests_failed',
  'policy_block',
  'github_error',
  'history_rewrite',
  'timeout',
  'unknown',
]);
export const FLOWS = Object.freeze([
  'reference_doc',
  'design_doc',
  'bugfix',
  'small_job',
  'roadmap',
  'implementation',
]);

// ---------------------------------------------------------------------------------------------------
// Timestamps

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses an ISO-8601 text in any of MergeXO's formats to epoch milliseconds, keeping sub-millisecond
 * digits as a fraction. Returns NaN for text it does not understand.
 * @param {string} text
 * @returns {number}
 */
export function parseTs(text) {
  const m = TS_RE.exec(text.trim());
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s = '0', frac = '', zone = 'Z'] = m;
  let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  if (frac) ms += Number(`0.${frac}`) * 1000;
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}

/**
 * @param {Date | number | string} at
 * @returns {number} epoch milliseconds (may carry a sub-millisecond fraction)
 */
export function toMs(at) {
  if (typeof at === 'number') return at;
  if (at instanceof Date) return at.getTime();
  if (typeof at === 'string') return parseTs(at);
  throw new TypeError(`not a timestamp: ${String(at)}`);
}

/**
 * Formats a time as MergeXO stores it.
 * - `'ms'`: SQLite's `strftime('%Y-%m-%dT%H:%M:%fZ', …)`, e.g. `2026-03-15T11:48:00.000Z`
 * - `'us'`: Python's `strftime('%Y-%m-%dT%H:%M:%S.%fZ')`, e.g. `2026-03-15T11:48:00.000000Z`
 * - `'s'`: GitHub's API, e.g. `2026-03-15T11:48:00Z`
 * @param {Date | number | string} at
 * @param {'ms' | 'us' | 's'} [format]
 */
export function formatTs(at, format = 'ms') {
  const ms = toMs(at);
  if (!Number.isFinite(ms)) throw new RangeError(`invalid timestamp: ${String(at)}`);
  const whole = Math.floor(ms);
  const iso = new Date(whole).toISOString();
  if (format === 's') return `${iso.slice(0, 19)}Z`;
  if (format === 'ms') return iso;
  if (format === 'us') {
    const micros = Math.min(999, Math.round((ms - whole) * 1000));
    return `${iso.slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
  }
  throw new RangeError(`unknown timestamp format: ${String(format)}`);
}

// ---------------------------------------------------------------------------------------------------
// Python-compatible JSON (MergeXO writes meta_json and the lock file with json.dumps(..., sort_keys=True))

/** @param {number} n */
function pyFloat(n) {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    // Python: 1e-05, 1.5e+16; JavaScript: 0.00001, 15000000000000000.
    const [mant, exp] = n.toExponential().split('e');
    const e = Number(exp);
    return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return String(n);
}

/**
 * `json.dumps(value, sort_keys=True)` as Python writes it: `", "` and `": "` separators, keys sorted,
 * every character outside printable ASCII escaped as `\uXXXX` (ensure_ascii).
 * @param {unknown} value
 * @returns {string}
 */
export function pyJson(value) {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return pyFloat(value);
  }
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(
      /[^\x20-\x7e]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  if (Array.isArray(value)) return `[${value.map((v) => pyJson(v)).join(', ')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value)
      .filter((k) => /** @type {Record<string, unknown>} */ (value)[k] !== undefined)
      .sort();
    const obj = /** @type {Record<string, unknown>} */ (value);
    return `{${keys.map((k) => `${pyJson(k)}: ${pyJson(obj[k])}`).join(', ')}}`;
  }
  throw new TypeError(`cannot serialise ${typeof value}`);
}

// ---------------------------------------------------------------------------------------------------
// Deterministic randomness (shared by simulate.mjs and bench/generate.mjs)

/**
 * A small seeded PRNG (mulberry32) with helpers. Same seed, same sequence, on every platform.
 * @param {number} seed
 */
export function createRng(seed) {
  let a = seed >>> 0 || 0x9e3779b9;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng = {
    next,
    /** integer in [lo, hi] */
    int: (/** @type {number} */ lo, /** @type {number} */ hi) => lo + Math.floor(next() * (hi - lo + 1)),
    /** true with probability p */
    chance: (/** @type {number} */ p) => next() < p,
    /** @template T @param {readonly T[]} items @returns {T} */
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return /** @type {T} */ (items[Math.floor(next() * items.length)]);
    },
    /** @template {string} K @param {Record<K, number>} weights @returns {K} */
    weighted: (weights) => {
      const entries = /** @type {[K, number][]} */ (Object.entries(weights));
      const total = entries.reduce((sum, [, w]) => sum + w, 0);
      let r = next() * total;
      for (const [k, w] of entries) {
        r -= w;
        if (r < 0) return k;
      }
      return /** @type {[K, number]} */ (entries[entries.length - 1])[0];
    },
    /** `n` lowercase hex characters */
    hex: (/** @type {number} */ n) => {
      let s = '';
      while (s.length < n)
        s += Math.floor(next() * 4294967296)
          .toString(16)
          .padStart(8, '0');
      return s.slice(0, n);
    },
    /** exponential with the given mean */
    exp: (/** @type {number} */ mean) => -Math.log(1 - next()) * mean,
  };
  return rng;
}

// ---------------------------------------------------------------------------------------------------
// Opening and creating databases

/**
 * The DDL text of a schema: `'current'` (default), `'legacy'`, `'legacy_obs_v1'`, or a path to a .sql file.
 * @param {string} [schema]
 */
export function schemaSql(schema = 'current') {
  const file = /** @type {Record<string, string>} */ (SCHEMA_FILES)[schema] ?? schema;
  return fs.readFileSync(file, 'utf8');
}

/**
 * Opens a MergeXO database for writing the way MergeXO's `_connect()` does: `journal_mode=WAL`,
 * `synchronous=NORMAL`, and a 5 s busy timeout (Python sqlite3's default).
 * @param {string} file
 */
export function openMergexoDb(file) {
  const db = new Database(file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

/**
 * Creates a new MergeXO database (parent folders too) in WAL mode and returns the open connection.
 * Refuses to touch an existing file unless `overwrite` is set (then the file and its -wal/-shm go).
 * @param {string} file
 * @param {{ schema?: string, overwrite?: boolean }} [options]
 */
export function createMergexoDb(file, { schema = 'current', overwrite = false } = {}) {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  if (fs.existsSync(file)) {
    if (!overwrite) throw new Error(`Unable to create ${file}. It already exists.`);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  }
  const db = openMergexoDb(file);
  db.exec(schemaSql(schema));
  return db;
}

// ---------------------------------------------------------------------------------------------------
// Run meta_json

const PROCESS_META_KEYS = /** @type {const} */ ([
  'codex_idle_timeout_seconds',
  'codex_invocation_started_at',
  'codex_launch_token',
  'codex_pgid',
  'codex_pid',
  'codex_timeout_at',
  'codex_timeout_seconds',
]);

/**
 * The meta_json object MergeXO keeps for a run, with every key it writes (see the fixtures).
 * Times inside are Python-made (microseconds).
 * @param {{ runId: string, runKind: string, flow?: string | null, issue: number, prNumber?: number | null,
 *   startedMs: number, active?: boolean, pid?: number, prompt?: string | null,
 *   timeoutSeconds?: number, idleTimeoutSeconds?: number }} o
 * @returns {Record<string, unknown>}
 */
export function defaultRunMeta(o) {
  const active = o.active ?? true;
  const mode = o.runKind === 'feedback_turn' ? 'respond_to_review' : (o.flow ?? null);
  const prompt =
    o.prompt !== undefined
      ? o.prompt
      : o.runKind === 'feedback_turn'
        ? `Address review feedback on PR #${o.prNumber}.`
        : `Work on issue #${o.issue} using the ${o.flow ?? 'default'} flow.`;
  const pid = o.pid ?? 40000 + (parseInt(o.runId.slice(0, 4), 16) % 20000);
  const timeout = o.timeoutSeconds ?? 3600;
  const invocation = o.startedMs + 3000;
  const sessionId =
    o.runKind === 'feedback_turn' ? `thread-fb-${o.runId.slice(0, 10)}` : `thread-${o.runId.slice(0, 12)}`;
  return {
    codex_active: active,
    codex_idle_timeout_seconds: active ? (o.idleTimeoutSeconds ?? 900) : null,
    codex_invocation_started_at: active ? formatTs(invocation, 'us') : null,
    codex_kill_requested_at: null,
    codex_launch_metadata_path: null,
    codex_launch_token: active ? `launch-${pid}` : null,
    codex_mode: active ? mode : null,
    codex_pgid: active ? pid : null,
    codex_pid: active ? pid : null,
    codex_session_id: active ? sessionId : null,
    codex_timeout_at: active ? formatTs(invocation + timeout * 1000, 'us') : null,
    codex_timeout_seconds: active ? timeout : null,
    last_progress_at: active ? formatTs(invocation, 'us') : null,
    last_prompt: active ? prompt : null,
    run_phase: active ? 'codex_running' : null,
  };
}

/** @param {string} text @returns {Record<string, unknown>} */
function parseMetaObject(text) {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

// ---------------------------------------------------------------------------------------------------
// The writer

/**
 * @typedef {Date | number | string} At
 * @typedef {'ms' | 'us' | 's'} TsFormat
 * @typedef {import('better-sqlite3').Database} Db
 */

export class MergexoWriter {
  /** @type {Db | null} */ #db = null;
  /** @type {string | null} */ #file = null;
  /** @type {Map<string, import('better-sqlite3').Statement>} */ #stmts = new Map();
  /** @type {Map<string, Set<string>>} */ #columns = new Map();
  /** @type {() => number} */ #clock;
  /** @type {TsFormat} */ #format;
  /** @type {ReturnType<typeof createRng>} */ #rng;

  /**
   * @param {Db | string} target an open connection, or a path to an existing state.db
   * @param {{ clock?: () => number, format?: TsFormat, seed?: number,
   *   connectionPerOperation?: boolean }} [options]
   *   - `clock`: epoch ms for calls made without `at` (default `Date.now`)
   *   - `format`: format of SQLite-made columns (default `'ms'`, as MergeXO)
   *   - `seed`: seeds run ids and pids (default: random)
   *   - `connectionPerOperation` (path only): open and close a connection around every call, as
   *     MergeXO does. Closing the last connection checkpoints and deletes `state.db-wal`, so the WAL
   *     file comes and goes unless a reader keeps the database open — exactly like production.
   */
  constructor(target, options = {}) {
    this.#clock = options.clock ?? Date.now;
    this.#format = options.format ?? 'ms';
    this.#rng = createRng(options.seed ?? crypto.randomInt(2 ** 31));
    if (typeof target === 'string') {
      this.#file = target;
      if (!options.connectionPerOperation) this.#db = openMergexoDb(target);
    } else {
      this.#db = target;
    }
  }

  /** The held connection (null in connection-per-operation mode). */
  get db() {
    return this.#db;
  }

  /** The writer's current time in epoch ms. */
  now() {
    return this.#clock();
  }

  /** A fresh run id, 32 hex characters like Python's uuid4().hex. */
  newRunId() {
    return this.#rng.hex(32);
  }

  close() {
    this.#db?.close();
    this.#db = null;
  }

  // --- plumbing -------------------------------------------------------------------------------------

  /**
   * Runs `fn` in one IMMEDIATE transaction on the held connection, or on a connection opened for it.
   * @template T
   * @param {(db: Db) => T} fn
   * @returns {T}
   */
  #tx(fn) {
    const db = this.#db ?? openMergexoDb(/** @type {string} */ (this.#file));
    try {
      return db.transaction(fn).immediate(db);
    } finally {
      if (db !== this.#db) db.close();
    }
  }

  /** @param {Db} db @param {string} sql */
  #stmt(db, sql) {
    if (db !== this.#db) return db.prepare(sql);
    let s = this.#stmts.get(sql);
    if (!s) {
      s = db.prepare(sql);
      this.#stmts.set(sql, s);
    }
    return s;
  }

  /** Column names of a table (empty set when the table is missing: older MergeXO schemas). */
  /** @param {Db} db @param {string} table */
  #cols(db, table) {
    let cols = this.#columns.get(table);
    if (!cols) {
      cols = new Set(
        /** @type {{ name: string }[]} */ (db.prepare(`PRAGMA table_info(${table})`).all()).map(
          (r) => r.name,
        ),
      );
      this.#columns.set(table, cols);
    }
    return cols;
  }

  /** @param {At | undefined} at @param {TsFormat} [format] */
  #ts(at, format) {
    if (typeof at === 'string') return at;
    return formatTs(at ?? this.#clock(), format ?? this.#format);
  }

  /**
   * Upserts the columns given into a keyed table, skipping columns the table lacks.
   * @param {Db} db
   * @param {string} table
   * @param {string[]} keys
   * @param {Record<string, unknown>} values (include the key columns)
   * @param {{ insertOnly?: Record<string, unknown> }} [extra] columns set only when the row is new
   */
  #upsert(db, table, keys, values, extra = {}) {
    const cols = this.#cols(db, table);
    if (cols.size === 0) throw new Error(`This database has no ${table} table (older MergeXO schema).`);
    const all = { ...(extra.insertOnly ?? {}), ...values };
    const names = Object.keys(all).filter((c) => cols.has(c));
    const updates = Object.keys(values).filter((c) => cols.has(c) && !keys.includes(c));
    const sql =
      `INSERT INTO ${table}(${names.join(', ')}) VALUES(${names.map(() => '?').join(', ')}) ` +
      `ON CONFLICT(${keys.join(', ')}) DO ` +
      (updates.length ? `UPDATE SET ${updates.map((c) => `${c}=excluded.${c}`).join(', ')}` : 'NOTHING');
    return this.#stmt(db, sql).run(...names.map((c) => /** @type {never} */ (all[c])));
  }

  /** @param {Db} db @param {string} repo @param {number} pr */
  #prStatus(db, repo, pr) {
    const row = /** @type {{ status: string } | undefined} */ (
      this.#stmt(db, 'SELECT status FROM pr_feedback_state WHERE repo_full_name = ? AND pr_number = ?').get(
        repo,
        pr,
      )
    );
    return row ? row.status : null;
  }

  /** MergeXO's `_append_pr_status_history`: no row for a no-op without reason or detail. */
  /** @param {Db} db @param {{ repo: string, pr: number, issue: number, from: string | null, to: string,
   *   reason: string | null, detail: string | null, changedAt: string }} t */
  #appendPrHistory(db, t) {
    if (t.from === t.to && t.reason == null && t.detail == null) return false;
    this.#stmt(
      db,
      `INSERT INTO pr_status_history(repo_full_name, pr_number, issue_number, from_status, to_status, reason,
         detail, changed_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(t.repo, t.pr, t.issue, t.from, t.to, t.reason, t.detail, t.changedAt);
    return true;
  }

  // --- agent runs -----------------------------------------------------------------------------------

  /**
   * Records a run start (agent_run_history insert) and claims the work item: for issue-level runs the
   * issue_runs row becomes `running` with `active_run_id`; for a feedback turn the pr_feedback_state
   * row gets `active_run_id` (as in the fixtures).
   * @param {{ repo: string, issue: number, runKind?: string, flow?: string | null, branch?: string | null,
   *   prNumber?: number | null, startedAt?: At, format?: TsFormat, runId?: string,
   *   meta?: Record<string, unknown>, metaJson?: string, active?: boolean, prompt?: string | null,
   *   claim?: boolean }} o
   *   `meta` is merged over the default meta; `metaJson` is written verbatim instead (any text, even
   *   malformed JSON); `active: false` starts with no agent process (codex_active false);
   *   `claim: false` leaves issue_runs / pr_feedback_state alone.
   * @returns {string} the run id
   */
  startRun(o) {
    const runKind = o.runKind ?? 'issue_flow';
    const runId = o.runId ?? this.newRunId();
    const startedAt = this.#ts(o.startedAt, o.format);
    const startedMs = toMs(startedAt);
    const metaJson =
      o.metaJson ??
      pyJson({
        ...defaultRunMeta({
          runId,
          runKind,
          flow: o.flow ?? null,
          issue: o.issue,
          prNumber: o.prNumber ?? null,
          startedMs,
          active: o.active ?? true,
          pid: 40000 + this.#rng.int(0, 59999),
          ...(o.prompt !== undefined ? { prompt: o.prompt } : {}),
        }),
        ...(o.meta ?? {}),
      });
    const updatedAt = formatTs(startedMs, this.#format);
    this.#tx((db) => {
      this.#stmt(
        db,
        `INSERT INTO agent_run_history(run_id, repo_full_name, run_kind, issue_number, pr_number, flow,
          branch,
           started_at, meta_json) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        runId,
        o.repo,
        runKind,
        o.issue,
        o.prNumber ?? null,
        runKind === 'feedback_turn' ? null : (o.flow ?? null),
        o.branch ?? null,
        startedAt,
        metaJson,
      );
      if (o.claim === false) return;
      if (runKind === 'feedback_turn') {
        if (this.#cols(db, 'pr_feedback_state').has('active_run_id')) {
          this.#stmt(
            db,
            `UPDATE pr_feedback_state SET active_run_id = ?, updated_at = ?
             WHERE repo_full_name = ? AND pr_number = ?`,
          ).run(runId, updatedAt, o.repo, o.prNumber ?? null);
        }
      } else {
        this.#upsert(db, 'issue_runs', ['repo_full_name', 'issue_number'], {
          repo_full_name: o.repo,
          issue_number: o.issue,
          status: 'running',
          ...(o.branch != null ? { branch: o.branch } : {}),
          error: null,
          active_run_id: runId,
          updated_at: updatedAt,
        });
      }
    });
    return runId;
  }

  /**
   * Rewrites a live run's meta_json as MergeXO does while the agent works (`update_agent_run_meta`,
   * only while `finished_at IS NULL`). `patch` is merged over the stored object; a string replaces the
   * whole column verbatim. Returns false when the run is unknown or already finished.
   * @param {string} runId
   * @param {Record<string, unknown> | string} patch
   */
  updateMeta(runId, patch) {
    return this.#tx((db) => {
      const row = /** @type {{ meta_json: string } | undefined} */ (
        this.#stmt(
          db,
          'SELECT meta_json FROM agent_run_history WHERE run_id = ? AND finished_at IS NULL',
        ).get(runId)
      );
      if (!row) return false;
      const text =
        typeof patch === 'string' ? patch : pyJson({ ...parseMetaObject(row.meta_json), ...patch });
      this.#stmt(
        db,
        'UPDATE agent_run_history SET meta_json = ? WHERE run_id = ? AND finished_at IS NULL',
      ).run(text, runId);
      return true;
    });
  }

  /**
   * A progress heartbeat: rewrites meta_json with `last_progress_at` (Python format) plus `patch`.
   * @param {string} runId
   * @param {At} [at]
   * @param {Record<string, unknown>} [patch]
   */
  progress(runId, at, patch = {}) {
    const stamp = typeof at === 'string' ? at : formatTs(at ?? this.#clock(), 'us');
    return this.updateMeta(runId, { last_progress_at: stamp, ...patch });
  }

  /**
   * Finishes a run like MergeXO's `finish_agent_run`: sets finished_at, terminal_status, failure_class,
   * error and duration_seconds computed in SQL as
   * `MAX(0.0, (julianday(finished) - julianday(started_at)) * 86400.0)`; first rewrites meta_json with the
   * agent process gone (codex_active false, run_phase postprocess). Releases the claim
   * (`active_run_id`) on issue_runs / pr_feedback_state. Returns false if the run was not live.
   * @param {string} runId
   * @param {{ status: string, failureClass?: string | null, error?: string | null, finishedAt?: At,
   *   format?: TsFormat, meta?: Record<string, unknown> | false }} o  `meta: false` leaves meta_json as is
   */
  finishRun(runId, o) {
    const finishedAt = this.#ts(o.finishedAt, o.format);
    return this.#tx((db) => {
      const row = /** @type {{ meta_json: string } | undefined} */ (
        this.#stmt(
          db,
          'SELECT meta_json FROM agent_run_history WHERE run_id = ? AND finished_at IS NULL',
        ).get(runId)
      );
      if (!row) return false;
      if (o.meta !== false) {
        const meta = parseMetaObject(row.meta_json);
        const done = {
          ...meta,
          codex_active: false,
          codex_kill_requested_at: null,
          run_phase: 'postprocess',
        };
        for (const k of PROCESS_META_KEYS) done[k] = null;
        this.#stmt(db, 'UPDATE agent_run_history SET meta_json = ? WHERE run_id = ?').run(
          pyJson({ ...done, ...(o.meta ?? {}) }),
          runId,
        );
      }
      this.#stmt(
        db,
        `UPDATE agent_run_history
         SET finished_at = ?, terminal_status = ?, failure_class = ?, error = ?,
             duration_seconds = MAX(0.0, (julianday(?) - julianday(started_at)) * 86400.0)
         WHERE run_id = ? AND finished_at IS NULL`,
      ).run(finishedAt, o.status, o.failureClass ?? null, o.error ?? null, finishedAt, runId);
      const stamp = formatTs(toMs(finishedAt), this.#format);
      for (const table of ['issue_runs', 'pr_feedback_state']) {
        if (!this.#cols(db, table).has('active_run_id')) continue;
        this.#stmt(
          db,
          `UPDATE ${table} SET active_run_id = NULL, updated_at = ? WHERE active_run_id = ?`,
        ).run(stamp, runId);
      }
      return true;
    });
  }

  /**
   * What MergeXO does at start-up: close every unfinished run as `interrupted` / `unknown` and release
   * its claim; unless `failIssues` is false, an issue left `running` becomes `failed` with
   * `stale_running_issue_without_active_run` (as MergeXO's later reconciliation leaves it).
   * @param {{ at?: At, repo?: string, failIssues?: boolean }} [o]
   * @returns {number} runs closed
   */
  reconcileUnfinished(o = {}) {
    const at = this.#ts(o.at);
    return this.#tx((db) => {
      const where = o.repo ? 'finished_at IS NULL AND repo_full_name = ?' : 'finished_at IS NULL';
      const args = o.repo ? [o.repo] : [];
      const live = /** @type {{ run_id: string, repo_full_name: string, issue_number: number,
        run_kind: string }[]} */ (
        this.#stmt(
          db,
          `SELECT run_id, repo_full_name, issue_number, run_kind FROM agent_run_history WHERE ${where}`,
        ).all(...args)
      );
      const info = this.#stmt(
        db,
        `UPDATE agent_run_history
         SET finished_at = ?, terminal_status = 'interrupted', failure_class = 'unknown',
             duration_seconds = MAX(0.0, (julianday(?) - julianday(started_at)) * 86400.0)
         WHERE ${where}`,
      ).run(at, at, ...args);
      const hasIssueClaim = this.#cols(db, 'issue_runs').has('active_run_id');
      for (const run of live) {
        for (const table of ['issue_runs', 'pr_feedback_state']) {
          if (!this.#cols(db, table).has('active_run_id')) continue;
          this.#stmt(db, `UPDATE ${table} SET active_run_id = NULL WHERE active_run_id = ?`).run(run.run_id);
        }
        if (o.failIssues === false || run.run_kind === 'feedback_turn') continue;
        // Later, MergeXO fails an issue left `running` with no live run (fixture issue 210).
        const cols = hasIssueClaim ? ", last_failure_class = 'unknown', retry_count = retry_count + 1" : '';
        this.#stmt(
          db,
          `UPDATE issue_runs SET status = 'failed', error = 'stale_running_issue_without_active_run',
             updated_at = ?${cols}
           WHERE repo_full_name = ? AND issue_number = ? AND status = 'running'`,
        ).run(at, run.repo_full_name, run.issue_number);
      }
      return info.changes;
    });
  }

  // --- issue and PR state ---------------------------------------------------------------------------

  /**
   * Upserts an issue_runs row (MergeXO's mark_running / mark_failed / ...): only the fields given are
   * set. Use `githubState` for the issue's GitHub state (any case).
   * @param {{ repo: string, issue: number, status: string, branch?: string | null, prNumber?: number | null,
   *   prUrl?: string | null, error?: string | null, githubState?: string | null,
   *   failureClass?: string | null, retryCount?: number, nextRetryAt?: At | null,
   *   activeRunId?: string | null, at?: At }} o
   */
  markIssue(o) {
    /** @type {Record<string, unknown>} */
    const v = {
      repo_full_name: o.repo,
      issue_number: o.issue,
      status: o.status,
      updated_at: this.#ts(o.at),
    };
    if (o.branch !== undefined) v.branch = o.branch;
    if (o.prNumber !== undefined) v.pr_number = o.prNumber;
    if (o.prUrl !== undefined) v.pr_url = o.prUrl;
    if (o.error !== undefined) v.error = o.error;
    if (o.githubState !== undefined) v.github_state = o.githubState;
    if (o.failureClass !== undefined) v.last_failure_class = o.failureClass;
    if (o.retryCount !== undefined) v.retry_count = o.retryCount;
    if (o.nextRetryAt !== undefined) v.next_retry_at = o.nextRetryAt == null ? null : this.#ts(o.nextRetryAt);
    if (o.activeRunId !== undefined) v.active_run_id = o.activeRunId;
    this.#tx((db) => this.#upsert(db, 'issue_runs', ['repo_full_name', 'issue_number'], v));
  }

  /**
   * MergeXO's mark_failed: issue_runs `failed` with the error and failure class; drops a follow-up row.
   * @param {{ repo: string, issue: number, error: string, failureClass?: string | null, retryCount?: number,
   *   nextRetryAt?: At | null, at?: At }} o
   */
  failIssue(o) {
    const at = this.#ts(o.at);
    this.#tx((db) => {
      /** @type {Record<string, unknown>} */
      const v = {
        repo_full_name: o.repo,
        issue_number: o.issue,
        status: 'failed',
        error: o.error,
        last_failure_class: o.failureClass ?? null,
        updated_at: at,
      };
      if (o.retryCount !== undefined) v.retry_count = o.retryCount;
      if (o.nextRetryAt !== undefined)
        v.next_retry_at = o.nextRetryAt == null ? null : this.#ts(o.nextRetryAt);
      this.#upsert(db, 'issue_runs', ['repo_full_name', 'issue_number'], v);
      this.#stmt(db, 'DELETE FROM pre_pr_followup_state WHERE repo_full_name = ? AND issue_number = ?').run(
        o.repo,
        o.issue,
      );
    });
  }

  /**
   * MergeXO's mark_completed: the issue run opened a PR. issue_runs and pr_feedback_state become
   * `awaiting_feedback`, the follow-up row goes, and pr_status_history gets
   * `<previous> -> awaiting_feedback (issue_run_completed)`.
   * @param {{ repo: string, issue: number, prNumber: number, branch: string, prUrl?: string,
   *   headSha?: string | null, at?: At }} o
   */
  trackPr(o) {
    const at = this.#ts(o.at);
    const prUrl = o.prUrl ?? `https://github.com/${o.repo}/pull/${o.prNumber}`;
    this.#tx((db) => {
      const previous = this.#prStatus(db, o.repo, o.prNumber);
      this.#upsert(db, 'issue_runs', ['repo_full_name', 'issue_number'], {
        repo_full_name: o.repo,
        issue_number: o.issue,
        status: 'awaiting_feedback',
        branch: o.branch,
        pr_number: o.prNumber,
        pr_url: prUrl,
        error: null,
        updated_at: at,
      });
      this.#upsert(
        db,
        'pr_feedback_state',
        ['repo_full_name', 'pr_number'],
        {
          repo_full_name: o.repo,
          pr_number: o.prNumber,
          issue_number: o.issue,
          branch: o.branch,
          status: 'awaiting_feedback',
          updated_at: at,
        },
        { insertOnly: { last_seen_head_sha: o.headSha ?? null } },
      );
      this.#stmt(db, 'DELETE FROM pre_pr_followup_state WHERE repo_full_name = ? AND issue_number = ?').run(
        o.repo,
        o.issue,
      );
      if (this.#cols(db, 'pr_status_history').size) {
        this.#appendPrHistory(db, {
          repo: o.repo,
          pr: o.prNumber,
          issue: o.issue,
          from: previous,
          to: 'awaiting_feedback',
          reason: 'issue_run_completed',
          detail: null,
          changedAt: at,
        });
      }
    });
  }

  /**
   * Moves a tracked PR to another status, like MergeXO's mark_pr_status / reset_blocked_pull_requests:
   * appends pr_status_history (skipped for a no-op without reason or detail, as MergeXO does), updates
   * pr_feedback_state (inserted if missing) and the issue's issue_runs status (`error` = detail for
   * `blocked`, otherwise cleared).
   * Call as `transitionPr(repo, pr, issue, from, to, reason, detail, at)` or with one object
   * `{ repo, pr, issue, from, to, reason, detail, at, branch, headSha, issueError }`.
   * `from` undefined means "the status stored now".
   * @returns {boolean} whether a history row was written
   */
  transitionPr(/** @type {unknown[]} */ ...args) {
    /** @type {{ repo: string, pr: number, issue: number, from?: string | null, to: string,
     *   reason?: string | null, detail?: string | null, at?: At, branch?: string, headSha?: string | null,
     *   issueError?: string | null }} */
    const o =
      args.length === 1 && typeof args[0] === 'object'
        ? /** @type {never} */ (args[0])
        : {
            repo: /** @type {string} */ (args[0]),
            pr: /** @type {number} */ (args[1]),
            issue: /** @type {number} */ (args[2]),
            from: /** @type {string | null | undefined} */ (args[3]),
            to: /** @type {string} */ (args[4]),
            reason: /** @type {string | null | undefined} */ (args[5]),
            detail: /** @type {string | null | undefined} */ (args[6]),
            at: /** @type {At | undefined} */ (args[7]),
          };
    const at = this.#ts(o.at);
    const reason = o.reason ?? null;
    const detail = o.detail ?? null;
    return this.#tx((db) => {
      const stored = this.#prStatus(db, o.repo, o.pr);
      const from = o.from === undefined ? stored : o.from;
      if (stored === null) {
        const branch = o.branch ?? `agent/pr-${o.pr}`;
        this.#upsert(db, 'pr_feedback_state', ['repo_full_name', 'pr_number'], {
          repo_full_name: o.repo,
          pr_number: o.pr,
          issue_number: o.issue,
          branch,
          status: o.to,
          last_seen_head_sha: o.headSha ?? null,
          updated_at: at,
        });
      } else {
        this.#stmt(
          db,
          `UPDATE pr_feedback_state SET status = ?, last_seen_head_sha = COALESCE(?, last_seen_head_sha),
             updated_at = ? WHERE repo_full_name = ? AND pr_number = ?`,
        ).run(o.to, o.headSha ?? null, at, o.repo, o.pr);
      }
      const issueError = o.issueError !== undefined ? o.issueError : o.to === 'blocked' ? detail : null;
      this.#upsert(db, 'issue_runs', ['repo_full_name', 'issue_number'], {
        repo_full_name: o.repo,
        issue_number: o.issue,
        status: o.to,
        error: issueError,
        updated_at: at,
      });
      if (!this.#cols(db, 'pr_status_history').size) return false;
      return this.#appendPrHistory(db, {
        repo: o.repo,
        pr: o.pr,
        issue: o.issue,
        from,
        to: o.to,
        reason,
        detail,
        changedAt: at,
      });
    });
  }

  // --- feedback -------------------------------------------------------------------------------------

  /**
   * Ingests one review / comment event (MergeXO's ingest_feedback_events: insert, ignore duplicates).
   * `updatedAt` is GitHub's time (whole seconds by default); `at` is when MergeXO saw it (created_at).
   * The default event key is MergeXO's `<pr>:<kind>:<comment id>:<updated_at>`.
   * @param {{ repo: string, pr: number, issue: number, kind?: string, commentId: number, updatedAt?: At,
   *   at?: At, eventKey?: string }} o
   * @returns {string} the event key
   */
  addFeedbackEvent(o) {
    const kind = o.kind ?? 'review';
    const createdAt = this.#ts(o.at);
    const updatedAt =
      typeof o.updatedAt === 'string' ? o.updatedAt : formatTs(o.updatedAt ?? toMs(createdAt), 's');
    const eventKey = o.eventKey ?? `${o.pr}:${kind}:${o.commentId}:${updatedAt}`;
    this.#tx((db) =>
      this.#stmt(
        db,
        `INSERT INTO feedback_events(repo_full_name, event_key, pr_number, issue_number, kind, comment_id,
           updated_at, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(repo_full_name, event_key) DO NOTHING`,
      ).run(o.repo, eventKey, o.pr, o.issue, kind, o.commentId, updatedAt, createdAt),
    );
    return eventKey;
  }

  /**
   * Marks a PR's pending events processed (MergeXO's mark_feedback_events_processed). With no
   * `eventKeys`, every pending event of the PR.
   * @param {{ repo: string, pr: number, eventKeys?: string[], at?: At }} o
   * @returns {number} events marked
   */
  processEvents(o) {
    const at = this.#ts(o.at);
    return this.#tx((db) => {
      if (!o.eventKeys) {
        return this.#stmt(
          db,
          `UPDATE feedback_events SET processed_at = ?
           WHERE repo_full_name = ? AND pr_number = ? AND processed_at IS NULL`,
        ).run(at, o.repo, o.pr).changes;
      }
      let n = 0;
      const stmt = this.#stmt(
        db,
        `UPDATE feedback_events SET processed_at = ?
         WHERE repo_full_name = ? AND event_key = ? AND processed_at IS NULL`,
      );
      for (const key of o.eventKeys) n += stmt.run(at, o.repo, key).changes;
      return n;
    });
  }

  /**
   * MergeXO's finalize_feedback_turn after a successful turn: events processed, agent session saved,
   * PR back to awaiting_feedback with the new head, issue awaiting_feedback, history appended (a no-op
   * awaiting -> awaiting writes nothing, as in MergeXO).
   * @param {{ repo: string, pr: number, issue: number, eventKeys?: string[], headSha?: string,
   *   threadId?: string | null, at?: At }} o
   */
  finalizeFeedbackTurn(o) {
    const at = this.#ts(o.at);
    this.processEvents({ repo: o.repo, pr: o.pr, ...(o.eventKeys ? { eventKeys: o.eventKeys } : {}), at });
    this.#tx((db) => {
      const previous = this.#prStatus(db, o.repo, o.pr);
      this.#upsert(db, 'agent_sessions', ['repo_full_name', 'issue_number'], {
        repo_full_name: o.repo,
        issue_number: o.issue,
        adapter: 'codex',
        thread_id: o.threadId ?? null,
        updated_at: at,
      });
      this.#stmt(
        db,
        `UPDATE pr_feedback_state SET status = 'awaiting_feedback',
           last_seen_head_sha = COALESCE(?, last_seen_head_sha), updated_at = ?
         WHERE repo_full_name = ? AND pr_number = ?`,
      ).run(o.headSha ?? null, at, o.repo, o.pr);
      this.#upsert(db, 'issue_runs', ['repo_full_name', 'issue_number'], {
        repo_full_name: o.repo,
        issue_number: o.issue,
        status: 'awaiting_feedback',
        error: null,
        updated_at: at,
      });
      if (this.#cols(db, 'pr_status_history').size) {
        this.#appendPrHistory(db, {
          repo: o.repo,
          pr: o.pr,
          issue: o.issue,
          from: previous,
          to: 'awaiting_feedback',
          reason: null,
          detail: null,
          changedAt: at,
        });
      }
    });
  }

  /**
   * MergeXO's mark_awaiting_issue_followup: the agent needs a human before a PR exists.
   * issue_runs `awaiting_issue_followup` (error = waiting reason, PR cleared) and a
   * pre_pr_followup_state row.
   * @param {{ repo: string, issue: number, flow: string, branch: string, waitingReason: string,
   *   contextJson?: string, lastCheckpointSha?: string | null, at?: At }} o
   */
  awaitFollowup(o) {
    const at = this.#ts(o.at);
    this.#tx((db) => {
      this.#upsert(db, 'issue_runs', ['repo_full_name', 'issue_number'], {
        repo_full_name: o.repo,
        issue_number: o.issue,
        status: 'awaiting_issue_followup',
        branch: o.branch,
        pr_number: null,
        pr_url: null,
        error: o.waitingReason,
        updated_at: at,
      });
      this.#upsert(db, 'pre_pr_followup_state', ['repo_full_name', 'issue_number'], {
        repo_full_name: o.repo,
        issue_number: o.issue,
        flow: o.flow,
        branch: o.branch,
        context_json: o.contextJson ?? '{"source":"issue_body"}',
        waiting_reason: o.waitingReason,
        last_checkpoint_sha: o.lastCheckpointSha ?? null,
        updated_at: at,
      });
    });
  }

  /**
   * Sets (or clears) a human takeover of an issue: issue_takeover_state.ignore_active.
   * @param {{ repo: string, issue: number, ignoreActive?: boolean, at?: At }} o
   */
  setTakeover(o) {
    this.#tx((db) =>
      this.#upsert(db, 'issue_takeover_state', ['repo_full_name', 'issue_number'], {
        repo_full_name: o.repo,
        issue_number: o.issue,
        ignore_active: o.ignoreActive === false ? 0 : 1,
        updated_at: this.#ts(o.at),
      }),
    );
  }

  /**
   * Records the issue's state on GitHub (issue_runs.github_state, stored as given: `open`, `CLOSED`, ...).
   * Only updates an existing issue_runs row.
   * @param {{ repo: string, issue: number, state: string | null, at?: At }} o
   */
  setGithubState(o) {
    return this.#tx(
      (db) =>
        this.#stmt(
          db,
          `UPDATE issue_runs SET github_state = ?, updated_at = ?
           WHERE repo_full_name = ? AND issue_number = ?`,
        ).run(o.state, this.#ts(o.at), o.repo, o.issue).changes > 0,
    );
  }

  /**
   * A GitHub comment-poll cursor (github_comment_poll_cursors): `lastUpdatedAt` is GitHub's time.
   * @param {{ repo: string, surface: string, scopeNumber: number, lastUpdatedAt: At, lastCommentId: number,
   *   bootstrapComplete?: boolean, at?: At }} o
   */
  pollCursor(o) {
    this.#tx((db) =>
      this.#upsert(db, 'github_comment_poll_cursors', ['repo_full_name', 'surface', 'scope_number'], {
        repo_full_name: o.repo,
        surface: o.surface,
        scope_number: o.scopeNumber,
        last_updated_at:
          typeof o.lastUpdatedAt === 'string' ? o.lastUpdatedAt : formatTs(o.lastUpdatedAt, 's'),
        last_comment_id: o.lastCommentId,
        bootstrap_complete: o.bootstrapComplete === false ? 0 : 1,
        updated_at: this.#ts(o.at),
      }),
    );
  }

  /**
   * An action token (MergeXO's record of a reply it planned / saw on GitHub). `observedUpdatedAt` is
   * GitHub's time.
   * @param {{ repo: string, token: string, scopeKind: 'pr' | 'issue', scopeNumber: number, source: string,
   *   status: string, observedCommentId?: number | null, observedUpdatedAt?: At | null, at?: At }} o
   */
  actionToken(o) {
    const at = this.#ts(o.at);
    this.#tx((db) =>
      this.#upsert(
        db,
        'action_tokens',
        ['repo_full_name', 'token'],
        {
          repo_full_name: o.repo,
          token: o.token,
          scope_kind: o.scopeKind,
          scope_number: o.scopeNumber,
          source: o.source,
          status: o.status,
          observed_comment_id: o.observedCommentId ?? null,
          observed_updated_at:
            o.observedUpdatedAt == null
              ? null
              : typeof o.observedUpdatedAt === 'string'
                ? o.observedUpdatedAt
                : formatTs(o.observedUpdatedAt, 's'),
          updated_at: at,
        },
        { insertOnly: { created_at: at } },
      ),
    );
  }

  // --- operators ------------------------------------------------------------------------------------

  /**
   * Records an operator command posted as a comment (`unblock`, `retry`, `restart`, `help`, `invalid`).
   * Default key: MergeXO's `<issue or pr>:<comment id>:<GitHub time>`.
   * @param {{ repo: string, issue: number, pr?: number | null, commentId: number, author: string,
   *   command: string, args?: Record<string, unknown>, status: string, result: string, at?: At,
   *   commandKey?: string }} o
   * @returns {string} the command key
   */
  operatorCommand(o) {
    const at = this.#ts(o.at);
    const key = o.commandKey ?? `${o.pr ?? o.issue}:${o.commentId}:${formatTs(toMs(at), 's')}`;
    this.#tx((db) =>
      this.#upsert(
        db,
        'operator_commands',
        ['repo_full_name', 'command_key'],
        {
          repo_full_name: o.repo,
          command_key: key,
          issue_number: o.issue,
          pr_number: o.pr ?? null,
          comment_id: o.commentId,
          author_login: o.author,
          command: o.command,
          args_json: pyJson(o.args ?? {}),
          status: o.status,
          result: o.result,
          updated_at: at,
        },
        { insertOnly: { created_at: at } },
      ),
    );
    return key;
  }

  /**
   * Upserts a service-wide operation (runtime_operations), e.g. a restart going pending -> running ->
   * completed.
   * @param {{ opName?: string, status: string, requestedBy?: string, requestCommandKey?: string,
   *   requestRepo?: string, mode?: string, detail?: string | null, at?: At }} o
   */
  runtimeOperation(o) {
    const at = this.#ts(o.at);
    this.#tx((db) => {
      /** @type {Record<string, unknown>} */
      const v = {
        op_name: o.opName ?? 'restart',
        status: o.status,
        detail: o.detail ?? null,
        updated_at: at,
      };
      if (o.requestedBy !== undefined) v.requested_by = o.requestedBy;
      if (o.requestCommandKey !== undefined) v.request_command_key = o.requestCommandKey;
      if (o.requestRepo !== undefined) v.request_repo_full_name = o.requestRepo;
      if (o.mode !== undefined) v.mode = o.mode;
      this.#upsert(db, 'runtime_operations', ['op_name'], v, {
        insertOnly: {
          requested_by: 'unknown',
          request_command_key: '',
          request_repo_full_name: '',
          mode: 'git_checkout',
          created_at: at,
        },
      });
    });
  }

  // --- roadmaps -------------------------------------------------------------------------------------

  /**
   * Upserts a roadmap (roadmap_state), plus its first revision row when new.
   * @param {{ repo: string, issue: number, prNumber?: number | null, status?: string,
   *   adjustmentState?: string, graphVersion?: number, lastError?: string | null,
   *   revisionRequestedAt?: At | null, supersedingIssue?: number | null, at?: At }} o
   */
  upsertRoadmap(o) {
    const at = this.#ts(o.at);
    const checksum = crypto.createHash('sha256').update(`${o.repo}#${o.issue}`).digest('hex');
    const doc = `docs/roadmap/${o.issue}.md`;
    const graph = `docs/roadmap/${o.issue}.graph.json`;
    this.#tx((db) => {
      /** @type {Record<string, unknown>} */
      const v = {
        repo_full_name: o.repo,
        roadmap_issue_number: o.issue,
        status: o.status ?? 'active',
        adjustment_state: o.adjustmentState ?? 'idle',
        updated_at: at,
      };
      if (o.lastError !== undefined) v.last_error = o.lastError;
      if (o.revisionRequestedAt !== undefined) {
        v.revision_requested_at = o.revisionRequestedAt == null ? null : this.#ts(o.revisionRequestedAt);
      }
      if (o.supersedingIssue !== undefined) v.superseding_roadmap_issue_number = o.supersedingIssue;
      this.#upsert(db, 'roadmap_state', ['repo_full_name', 'roadmap_issue_number'], v, {
        insertOnly: {
          roadmap_pr_number: o.prNumber ?? null,
          roadmap_doc_path: doc,
          graph_path: graph,
          graph_checksum: checksum,
          graph_version: o.graphVersion ?? 1,
        },
      });
      this.#upsert(db, 'roadmap_revisions', ['repo_full_name', 'roadmap_issue_number', 'version'], {
        repo_full_name: o.repo,
        roadmap_issue_number: o.issue,
        version: o.graphVersion ?? 1,
        roadmap_pr_number: o.prNumber ?? null,
        roadmap_doc_path: doc,
        graph_path: graph,
        graph_checksum: checksum,
        applied_at: at,
      });
    });
  }

  /**
   * Upserts a roadmap node. Moving to `blocked` stamps blocked_since_at (kept while it stays blocked);
   * leaving `blocked` clears it.
   * @param {{ repo: string, roadmap: number, nodeId: string, kind?: string, title?: string,
   *   status: string, dependsOn?: string[], childIssue?: number | null, isActive?: boolean, at?: At }} o
   */
  upsertRoadmapNode(o) {
    const at = this.#ts(o.at);
    const title = o.title ?? `Step ${o.nodeId}`;
    this.#tx((db) => {
      const prev = /** @type {{ status: string, blocked_since_at: string | null } | undefined} */ (
        this.#stmt(
          db,
          `SELECT status, blocked_since_at FROM roadmap_nodes
           WHERE repo_full_name = ? AND roadmap_issue_number = ? AND node_id = ?`,
        ).get(o.repo, o.roadmap, o.nodeId)
      );
      const blockedSince =
        o.status === 'blocked' ? (prev?.status === 'blocked' ? prev.blocked_since_at : at) : null;
      /** @type {Record<string, unknown>} */
      const v = {
        repo_full_name: o.repo,
        roadmap_issue_number: o.roadmap,
        node_id: o.nodeId,
        status: o.status,
        blocked_since_at: blockedSince,
        updated_at: at,
      };
      if (prev?.status !== o.status) v.status_changed_at = at;
      if (o.status === 'completed') v.implemented_at = at;
      if (o.status === 'issued') v.planned_at = at;
      if (o.childIssue !== undefined) {
        v.child_issue_number = o.childIssue;
        v.child_issue_url =
          o.childIssue == null ? null : `https://github.com/${o.repo}/issues/${o.childIssue}`;
      }
      if (o.isActive !== undefined) v.is_active = o.isActive ? 1 : 0;
      this.#upsert(db, 'roadmap_nodes', ['repo_full_name', 'roadmap_issue_number', 'node_id'], v, {
        insertOnly: {
          kind: o.kind ?? 'small_job',
          title,
          body_markdown: `Body of ${title}`,
          dependencies_json: JSON.stringify(
            (o.dependsOn ?? []).map((id) => ({ node_id: id, requires: 'planned' })),
          ),
        },
      });
    });
  }

  // --- maintenance ----------------------------------------------------------------------------------

  /**
   * Retention as MergeXO's prune_observability_history: deletes finished runs whose finished_at and PR
   * transitions whose changed_at are older than the cutoff (text comparison, as MergeXO). `cutoff` is a
   * time, or `{ days, now }` for "N days before now".
   * @param {At | { days: number, now?: At }} cutoff
   * @param {{ repo?: string }} [o]
   * @returns {{ runs: number, transitions: number }}
   */
  deleteOlderThan(cutoff, o = {}) {
    const text =
      typeof cutoff === 'object' && !(cutoff instanceof Date)
        ? formatTs(toMs(cutoff.now ?? this.#clock()) - cutoff.days * 86_400_000, 'ms')
        : this.#ts(cutoff, 'ms');
    return this.#tx((db) => {
      const repo = o.repo ? ' AND repo_full_name = ?' : '';
      const args = o.repo ? [text, o.repo] : [text];
      const runs = this.#stmt(
        db,
        `DELETE FROM agent_run_history WHERE finished_at IS NOT NULL AND finished_at < ?${repo}`,
      ).run(...args).changes;
      const transitions = this.#cols(db, 'pr_status_history').size
        ? this.#stmt(db, `DELETE FROM pr_status_history WHERE changed_at < ?${repo}`).run(...args).changes
        : 0;
      return { runs, transitions };
    });
  }

  /**
   * `PRAGMA wal_checkpoint(<mode>)`. Returns SQLite's answer { busy, log, checkpointed }.
   * @param {'PASSIVE' | 'FULL' | 'RESTART' | 'TRUNCATE'} [mode]
   */
  checkpoint(mode = 'TRUNCATE') {
    const db = this.#db ?? openMergexoDb(/** @type {string} */ (this.#file));
    try {
      return /** @type {{ busy: number, log: number, checkpointed: number }} */ (
        db.pragma(`wal_checkpoint(${mode})`, { simple: false })[0]
      );
    } finally {
      if (db !== this.#db) db.close();
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The writer lock: <base_dir>/writer.lock
//
// Mirrors MergeXO's src/mergexo/process_lock.py (read in MergeXO's public source): the file is created
// with O_CREAT|O_EXCL (mode 0644) and holds `json.dumps(payload, sort_keys=True) + "\n"` with
// payload {"command": <str>, "pid": <int>, "started_at": <UTC, microseconds>, "token": <32 hex>}.
// A lock whose pid is no longer running is stale and is removed on the next acquire; release removes
// the file only if it is still ours (same inode and token).

export class WriterLockError extends Error {}

/**
 * @typedef {{ path: string, pid: number, command: string, started_at: string, token: string,
 *   release: () => boolean }} WriterLock
 */

/** @type {WriterLock | null} */
let currentLock = null;

/** @param {number} pid */
function pidIsRunning(pid) {
  if (!Number.isInteger(pid) || pid < 1) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM';
  }
}

/**
 * Reads a lock file; fields that are missing or of the wrong type come back null (as MergeXO reads it).
 * @param {string} file
 * @returns {{ pid: number | null, command: string | null, started_at: string | null, token: string | null }}
 */
export function readLockOwner(file) {
  const none = { pid: null, command: null, started_at: null, token: null };
  let payload;
  try {
    payload = JSON.parse(fs.readFileSync(file, 'utf8').trim());
  } catch {
    return none;
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return none;
  return {
    pid: Number.isInteger(payload.pid) ? payload.pid : null,
    command: typeof payload.command === 'string' ? payload.command : null,
    started_at: typeof payload.started_at === 'string' ? payload.started_at : null,
    token: typeof payload.token === 'string' ? payload.token : null,
  };
}

/**
 * Takes `<baseDir>/writer.lock` as MergeXO does. Throws WriterLockError when a live process holds it.
 * @param {string} baseDir
 * @param {{ command?: string, now?: At }} [o] `command` as MergeXO's CLI passes it (`service`, `run`)
 * @returns {WriterLock}
 */
export function acquireLock(baseDir, o = {}) {
  fs.mkdirSync(baseDir, { recursive: true });
  const file = path.join(baseDir, WRITER_LOCK_FILENAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd;
    try {
      fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o644);
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EEXIST') throw err;
      const owner = readLockOwner(file);
      if (owner.pid !== null && owner.pid !== process.pid && !pidIsRunning(owner.pid)) {
        fs.rmSync(file, { force: true });
        continue;
      }
      const who = [
        owner.pid !== null ? `pid=${owner.pid}` : '',
        owner.command ? `command=${owner.command}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      throw new WriterLockError(
        `Another MergeXO writer process appears active${who ? ` (${who})` : ''}. Lock file: ${file}.`,
      );
    }
    const payload = {
      command: o.command ?? 'service',
      pid: process.pid,
      started_at: formatTs(o.now ?? performance.timeOrigin + performance.now(), 'us'),
      token: crypto.randomBytes(16).toString('hex'),
    };
    let ino;
    try {
      fs.writeSync(fd, `${pyJson(payload)}\n`);
      fs.fsyncSync(fd);
      ino = fs.fstatSync(fd).ino;
    } catch (err) {
      fs.rmSync(file, { force: true });
      throw err;
    } finally {
      fs.closeSync(fd);
    }
    const lock = {
      path: file,
      ...payload,
      release: () => {
        if (currentLock === lock) currentLock = null;
        let stat;
        try {
          stat = fs.statSync(file);
        } catch {
          return false;
        }
        if (stat.ino !== ino || readLockOwner(file).token !== payload.token) return false;
        fs.rmSync(file, { force: true });
        return true;
      },
    };
    currentLock = lock;
    return lock;
  }
  throw new WriterLockError(`Another MergeXO writer process appears active. Lock file: ${file}.`);
}

/**
 * Releases a lock from acquireLock (by default the last one this process took). Returns whether the
 * file was removed (false if it was already gone or now belongs to someone else).
 * @param {WriterLock | null} [lock]
 */
export function releaseLock(lock = currentLock) {
  return lock ? lock.release() : false;
}
