#!/usr/bin/env node
// Simulates a running MergeXO service against a state.db: runs start, report progress (meta_json is
// rewritten), finish or fail with failure classes; PRs get tracked, blocked, unblocked, merged or closed;
// feedback events arrive and feedback turns process them; issues wait for a human follow-up; operators
// post commands; restarts happen; roadmaps move. All writes go through MergexoWriter, one short
// transaction each, as MergeXO's own writer does.
//
// Two ways to use it:
// - As a CLI, for a live demo or a soak test (holds <base-dir>/writer.lock like MergeXO):
//     node tools/simulate.mjs --base-dir /tmp/mx --rate 2 --seconds 120 --seed 7 --workspace /tmp/ws
//   `--clock virtual` runs as fast as it can on a virtual clock instead of real time (with --seed the
//   database is then fully deterministic). Stops cleanly on SIGINT / SIGTERM.
// - As a library, for tests: `simulate({ db, steps, rng })` performs `steps` steps synchronously;
//   `new Simulation(...)` gives step() / tick() for finer control.
//
// The choice of what happens next is a weighted draw over the actions that apply to the database as it
// is now (candidates are read back from the database, in a stable order), so a run is deterministic for
// a given seed, starting database and clock.

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

import Database from 'better-sqlite3';

import {
  PINNED_NOW,
  MergexoWriter,
  acquireLock,
  createMergexoDb,
  createRng,
  defaultRunMeta,
  formatTs,
  openMergexoDb,
  toMs,
} from './mergexo-writer.mjs';

export const DEFAULT_REPOS = Object.freeze(['acme/widgets', 'acme/gadgets', 'octo/docs']);

/** Relative weights of the actions (an action with no candidate is skipped for that step). */
export const ACTION_WEIGHTS = Object.freeze({
  start_issue: 10,
  progress: 20,
  finish_issue_run: 9,
  feedback_event: 7,
  start_feedback_turn: 7,
  finish_feedback_turn: 8,
  merge_pr: 3,
  unblock: 0.6,
  start_implementation: 2,
  answer_followup: 2,
  retry_failed: 1.5,
  takeover: 0.3,
  github_state: 0.5,
  roadmap: 1,
  operator_noise: 0.4,
  restart: 0.01,
  restart_progress: 6,
});

const WORDS = [
  'oauth',
  'login',
  'cache',
  'layer',
  'export',
  'csv',
  'search',
  'pagination',
  'metrics',
  'dashboard',
  'retry',
  'timeout',
  'leak',
  'crash',
  'typo',
  'readme',
  'theme',
  'plugin',
  'api',
  'sharding',
  'i18n',
  'logo',
  'encoding',
  'versioning',
  'faq',
  'toc',
  'webhook',
  'billing',
  'audit',
  'upload',
];
const FLOW_DIRS = /** @type {Record<string, string>} */ ({
  design_doc: 'design',
  bugfix: 'bugfix',
  small_job: 'small',
  reference_doc: 'ref',
  roadmap: 'roadmap',
  implementation: 'impl',
});
const WAITING_REASONS = [
  'Need reproduction steps from the reporter',
  'Which locales should be supported?',
  'Ambiguous acceptance criteria: which API version?',
  'Cannot reproduce: please attach a heap dump',
  'Which logo variant?',
  'Should the old endpoint stay for one release?',
];
const AUTHORS = ['alice', 'bob', 'carol', 'dave'];

/** @param {string} failureClass @param {string} branch @param {number} n */
function errorFor(failureClass, branch, n) {
  switch (failureClass) {
    case 'agent_error':
      return n % 2 ? 'codex exited with status 1' : 'RuntimeError: git push rejected (non-fast-forward)';
    case 'tests_failed':
      return `required pre-push tests failed: ${1 + (n % 5)} failed`;
    case 'github_error':
      return n % 2 ? 'GitHub API returned 502 Bad Gateway' : 'GitHub API rate limit exceeded';
    case 'history_rewrite':
      return `history rewrite detected on ${branch}: non-fast-forward update (force-push by a human?)`;
    case 'timeout':
      return 'codex timed out after 3600s';
    default:
      return 'unknown error';
  }
}

/**
 * @typedef {{ run_id: string, repo: string, issue: number, pr: number | null, kind: string,
 *   flow: string | null, branch: string | null, started_at: string, meta_json: string }} LiveRun
 * @typedef {{ repo: string, pr: number, issue: number, branch: string, status: string,
 *   updated_at: string }} TrackedPr
 */

export class Simulation {
  /** @type {MergexoWriter} */ writer;
  /** @type {ReturnType<typeof createRng>} */ rng;
  /** @type {string[]} */ repos;
  /** @type {Record<string, number>} */ counts = {};
  stepsDone = 0;
  #virtualNow = 0;
  /** @type {(() => number) | null} */ #clock = null;
  #stepMs;
  #workers;
  #minRunMs;
  #mixedFormats;
  #interruptOnRestart;
  /** @type {string | null} */ #file;
  /** @type {Map<string, number>} */ #nextNumber = new Map();
  #nextComment = 0;

  /**
   * @param {{ db?: import('better-sqlite3').Database, writer?: MergexoWriter, file?: string,
   *   rng?: ReturnType<typeof createRng>, seed?: number, repos?: readonly string[],
   *   clock?: () => number, start?: Date | number | string, stepMs?: number, workersPerRepo?: number,
   *   minRunMs?: number, mixedFormats?: boolean, interruptOnRestart?: boolean }} o
   *   Give `db` (an open connection), `writer`, or `file` (a path; the writer then opens a connection
   *   per operation, as MergeXO). `clock` makes it real-time; otherwise a virtual clock starts at
   *   `start` (default: the pinned fixture time) and advances `stepMs` (default 1000) per step.
   */
  constructor(o) {
    this.rng = o.rng ?? createRng(o.seed ?? 1);
    this.repos = [...(o.repos ?? DEFAULT_REPOS)];
    this.#file = o.file ?? null;
    if (o.writer) this.writer = o.writer;
    else if (o.db) this.writer = new MergexoWriter(o.db, { seed: this.rng.int(0, 2 ** 31) });
    else if (o.file) {
      this.writer = new MergexoWriter(o.file, {
        connectionPerOperation: true,
        seed: this.rng.int(0, 2 ** 31),
      });
    } else throw new TypeError('Simulation needs a db, a writer or a file');
    if (o.clock) this.#clock = o.clock;
    this.#virtualNow = toMs(o.start ?? PINNED_NOW);
    this.#stepMs = o.stepMs ?? 1000;
    this.#workers = o.workersPerRepo ?? 2;
    this.#minRunMs = o.minRunMs ?? 20_000;
    this.#mixedFormats = o.mixedFormats ?? false;
    this.#interruptOnRestart = o.interruptOnRestart ?? true;
  }

  /** Current simulated time (epoch ms). */
  now() {
    return this.#clock ? this.#clock() : this.#virtualNow;
  }

  // --- reading the database back --------------------------------------------------------------------

  /** @template T @param {(db: import('better-sqlite3').Database) => T} fn @returns {T} */
  #read(fn) {
    const held = this.writer.db;
    if (held) return fn(held);
    const db = new Database(/** @type {string} */ (this.#file), { timeout: 5000 });
    try {
      return fn(db);
    } finally {
      db.close();
    }
  }

  /** @param {string} sql @param {unknown[]} args @returns {any[]} */
  #all(sql, ...args) {
    return this.#read((db) => db.prepare(sql).all(...args));
  }

  get #repoIn() {
    return `(${this.repos.map((r) => `'${r.replaceAll("'", "''")}'`).join(', ')})`;
  }

  /** @returns {LiveRun[]} */
  liveRuns() {
    return this.#all(
      `SELECT run_id, repo_full_name AS repo, issue_number AS issue, pr_number AS pr, run_kind AS kind, flow,
         branch, started_at, meta_json
       FROM agent_run_history WHERE repo_full_name IN ${this.#repoIn} AND finished_at IS NULL
       ORDER BY started_at, run_id`,
    );
  }

  /** @param {string} status @returns {TrackedPr[]} */
  #prs(status) {
    return this.#all(
      `SELECT repo_full_name AS repo, pr_number AS pr, issue_number AS issue, branch, status, updated_at
       FROM pr_feedback_state WHERE repo_full_name IN ${this.#repoIn} AND status = ?
       ORDER BY repo_full_name, pr_number`,
      status,
    );
  }

  /** Issue and PR numbers share one sequence per repository, as on GitHub. @param {string} repo */
  #number(repo) {
    let n = this.#nextNumber.get(repo);
    if (n === undefined) {
      const row = this.#read((db) => {
        const q = (/** @type {string} */ sql) =>
          /** @type {{ m: number | null }} */ (db.prepare(sql).get(repo)).m;
        return Math.max(
          q('SELECT max(issue_number) AS m FROM issue_runs WHERE repo_full_name = ?') ?? 0,
          q('SELECT max(pr_number) AS m FROM pr_feedback_state WHERE repo_full_name = ?') ?? 0,
          q('SELECT max(issue_number) AS m FROM agent_run_history WHERE repo_full_name = ?') ?? 0,
        );
      });
      n = Math.max(row, (this.repos.indexOf(repo) + 1) * 100);
    }
    this.#nextNumber.set(repo, n + 1);
    return n + 1;
  }

  #commentId() {
    if (this.#nextComment === 0) {
      const m = this.#read(
        (db) =>
          /** @type {{ m: number | null }} */ (
            db.prepare('SELECT max(comment_id) AS m FROM feedback_events').get()
          ).m,
      );
      this.#nextComment = Math.max(m ?? 0, 90000);
    }
    return ++this.#nextComment;
  }

  /** @returns {'ms' | 'us' | 's'} */
  #fmt() {
    if (!this.#mixedFormats) return 'ms';
    return this.rng.weighted({ ms: 90, us: 8, s: 2 });
  }

  /** @param {string} text */
  #age(text) {
    return this.now() - toMs(text);
  }

  /** @param {string} flow @param {number} issue @param {string} [slug] */
  #branch(flow, issue, slug) {
    return `agent/${FLOW_DIRS[flow] ?? 'work'}/${issue}-${slug ?? this.#slug()}`;
  }

  #slug() {
    return `${this.rng.pick(WORDS)}-${this.rng.pick(WORDS)}`;
  }

  /** @param {string} flow @param {number} issue @param {string} branch */
  #prompt(flow, issue, branch) {
    const topic = branch.split('/').pop()?.replace(/^\d+-/, '').replaceAll('-', ' ') ?? 'the task';
    if (this.rng.chance(0.3)) {
      return (
        `Work on issue #${issue} using the ${flow} flow.\nIssue title: ${topic}\n\nConsider:\n` +
        `- ${this.rng.pick(WORDS)}\n- ${this.rng.pick(WORDS)}\n\nFollow docs/python_style.md.`
      );
    }
    return `Work on issue #${issue} using the ${flow} flow (${topic}).`;
  }

  // --- actions --------------------------------------------------------------------------------------

  /** @type {Record<keyof typeof ACTION_WEIGHTS, (now: number) => boolean>} */
  #actions = {
    start_issue: (now) => {
      const repo = this.rng.pick(this.repos);
      const busy = this.liveRuns().filter((r) => r.repo === repo && r.kind !== 'feedback_turn').length;
      if (busy >= this.#workers) return false;
      const issue = this.#number(repo);
      const flow = this.rng.weighted({
        design_doc: 3,
        bugfix: 3,
        small_job: 3,
        reference_doc: 1,
        roadmap: 0.3,
      });
      const branch = this.#branch(flow, issue);
      const active = this.rng.chance(0.85);
      this.writer.startRun({
        repo,
        issue,
        runKind: 'issue_flow',
        flow,
        branch,
        startedAt: now,
        format: this.#fmt(),
        active,
        prompt: this.#prompt(flow, issue, branch),
        ...(active ? {} : { meta: { run_phase: 'preparing' } }),
      });
      return true;
    },

    progress: (now) => {
      const live = this.liveRuns();
      if (!live.length) return false;
      const run = this.rng.pick(live);
      const meta = safeMeta(run.meta_json);
      if (meta.codex_active !== true && this.rng.chance(0.6)) {
        // The agent process starts (a polling feedback turn found work, a prepared run launched codex).
        const fresh = defaultRunMeta({
          runId: run.run_id,
          runKind: run.kind,
          flow: run.flow,
          issue: run.issue,
          prNumber: run.pr,
          startedMs: now - 3000,
          pid: 40000 + this.rng.int(0, 59999),
          prompt:
            run.kind === 'feedback_turn'
              ? `Address review feedback on PR #${run.pr}.`
              : this.#prompt(run.flow ?? 'small_job', run.issue, run.branch ?? ''),
        });
        return this.writer.updateMeta(run.run_id, fresh);
      }
      return this.writer.progress(run.run_id, now);
    },

    finish_issue_run: (now) => {
      const live = this.liveRuns().filter(
        (r) => r.kind !== 'feedback_turn' && this.#age(r.started_at) >= this.#minRunMs,
      );
      if (!live.length) return false;
      const run = this.rng.pick(live);
      const flow = run.flow ?? 'small_job';
      const branch = run.branch ?? this.#branch(flow, run.issue);
      const outcome = this.rng.weighted({ completed: 6, failed: 2, blocked: 1.5, timeout: 0.5 });
      const fmt = this.#fmt();
      if (outcome === 'completed') {
        this.writer.finishRun(run.run_id, { status: 'completed', finishedAt: now, format: fmt });
        this.writer.trackPr({
          repo: run.repo,
          issue: run.issue,
          prNumber: this.#number(run.repo),
          branch,
          at: now,
        });
      } else if (outcome === 'blocked') {
        const reason = this.rng.pick(WAITING_REASONS);
        this.writer.finishRun(run.run_id, {
          status: 'blocked',
          failureClass: 'policy_block',
          error: reason,
          finishedAt: now,
          format: fmt,
        });
        this.writer.awaitFollowup({
          repo: run.repo,
          issue: run.issue,
          flow,
          branch,
          waitingReason: reason,
          at: now,
        });
      } else {
        const failureClass =
          outcome === 'timeout'
            ? 'timeout'
            : this.rng.weighted({ agent_error: 4, tests_failed: 3, github_error: 2, history_rewrite: 0.5 });
        const error = errorFor(failureClass, branch, this.rng.int(0, 9));
        this.writer.finishRun(run.run_id, {
          status: 'failed',
          failureClass,
          error,
          finishedAt: now,
          format: fmt,
        });
        const retry = this.#all(
          'SELECT retry_count AS n FROM issue_runs WHERE repo_full_name = ? AND issue_number = ?',
          run.repo,
          run.issue,
        )[0]?.n;
        const transient = failureClass === 'github_error';
        this.writer.failIssue({
          repo: run.repo,
          issue: run.issue,
          error,
          failureClass,
          ...(transient
            ? { retryCount: (retry ?? 0) + 1, nextRetryAt: now + 30_000 }
            : { nextRetryAt: null }),
          at: now,
        });
      }
      return true;
    },

    feedback_event: (now) => {
      const prs = [...this.#prs('awaiting_feedback'), ...this.#prs('blocked')];
      if (!prs.length) return false;
      const pr = this.rng.pick(prs);
      const n = this.rng.int(1, 2);
      let last = 0;
      let lastUpdated = '';
      for (let i = 0; i < n; i++) {
        const kind = this.rng.weighted({ review: 4, issue: 3, review_summary: 1, actions: 1 });
        last = this.#commentId();
        lastUpdated = formatTs(now - this.rng.int(5, 60) * 1000, 's');
        this.writer.addFeedbackEvent({
          repo: pr.repo,
          pr: pr.pr,
          issue: pr.issue,
          kind,
          commentId: last,
          updatedAt: lastUpdated,
          at: now,
        });
      }
      this.writer.pollCursor({
        repo: pr.repo,
        surface: this.rng.pick(['pr_review_comments', 'pr_issue_comments']),
        scopeNumber: pr.pr,
        lastUpdatedAt: lastUpdated,
        lastCommentId: last,
        at: now,
      });
      return true;
    },

    start_feedback_turn: (now) => {
      const prs = this.#all(
        `SELECT p.repo_full_name AS repo, p.pr_number AS pr, p.issue_number AS issue, p.branch,
           (SELECT count(*) FROM feedback_events e WHERE e.repo_full_name = p.repo_full_name
              AND e.pr_number = p.pr_number AND e.processed_at IS NULL) AS pending
         FROM pr_feedback_state p
         WHERE p.repo_full_name IN ${this.#repoIn} AND p.status = 'awaiting_feedback'
           AND NOT EXISTS (SELECT 1 FROM agent_run_history h WHERE h.repo_full_name = p.repo_full_name
              AND h.pr_number = p.pr_number AND h.run_kind = 'feedback_turn' AND h.finished_at IS NULL)
         ORDER BY p.repo_full_name, p.pr_number`,
      );
      if (!prs.length) return false;
      const withWork = prs.filter((p) => p.pending > 0);
      const pr = withWork.length && this.rng.chance(0.8) ? this.rng.pick(withWork) : this.rng.pick(prs);
      const active = pr.pending > 0;
      this.writer.startRun({
        repo: pr.repo,
        issue: pr.issue,
        runKind: 'feedback_turn',
        prNumber: pr.pr,
        branch: pr.branch,
        startedAt: now,
        format: this.#fmt(),
        active,
        ...(active ? {} : { meta: { run_phase: 'polling', last_progress_at: formatTs(now, 'us') } }),
      });
      return true;
    },

    finish_feedback_turn: (now) => {
      const live = this.liveRuns().filter((r) => {
        if (r.kind !== 'feedback_turn') return false;
        const polling = safeMeta(r.meta_json).codex_active !== true;
        return this.#age(r.started_at) >= (polling ? 2000 : this.#minRunMs / 2);
      });
      if (!live.length) return false;
      const run = this.rng.pick(live);
      const pr = /** @type {number} */ (run.pr);
      const branch = run.branch ?? '';
      const fmt = this.#fmt();
      if (safeMeta(run.meta_json).codex_active !== true) {
        // A polling turn: nothing to do, or it notices the PR was merged / closed on GitHub.
        const end = this.rng.weighted({ completed: 10, merged: 0.7, closed: 0.2 });
        this.writer.finishRun(run.run_id, { status: end, finishedAt: now, format: fmt });
        if (end !== 'completed')
          this.writer.transitionPr(run.repo, pr, run.issue, undefined, end, null, null, now);
        return true;
      }
      const outcome = this.rng.weighted({
        completed: 8,
        github_error: 1,
        history_rewrite: 0.6,
        agent_error: 0.8,
      });
      if (outcome === 'completed') {
        this.writer.finishRun(run.run_id, { status: 'completed', finishedAt: now, format: fmt });
        this.writer.finalizeFeedbackTurn({
          repo: run.repo,
          pr,
          issue: run.issue,
          headSha: this.rng.hex(40),
          threadId: `thread-fb-${run.run_id.slice(0, 10)}`,
          at: now,
        });
        return true;
      }
      const error = errorFor(outcome, branch, this.rng.int(0, 9));
      this.writer.finishRun(run.run_id, {
        status: 'failed',
        failureClass: outcome,
        error,
        finishedAt: now,
        format: fmt,
      });
      if (outcome === 'github_error') {
        this.writer.transitionPr(
          run.repo,
          pr,
          run.issue,
          undefined,
          'awaiting_feedback',
          'feedback_transient_retry',
          error,
          now,
        );
      } else {
        this.writer.transitionPr(run.repo, pr, run.issue, undefined, 'blocked', null, error, now);
      }
      return true;
    },

    merge_pr: (now) => {
      const prs = this.#all(
        `SELECT p.repo_full_name AS repo, p.pr_number AS pr, p.issue_number AS issue, p.branch, p.updated_at
         FROM pr_feedback_state p
         WHERE p.repo_full_name IN ${this.#repoIn} AND p.status = 'awaiting_feedback'
           AND NOT EXISTS (SELECT 1 FROM agent_run_history h WHERE h.repo_full_name = p.repo_full_name
              AND h.pr_number = p.pr_number AND h.finished_at IS NULL)
         ORDER BY p.repo_full_name, p.pr_number`,
      ).filter((p) => this.#age(p.updated_at) >= this.#minRunMs * 2);
      if (!prs.length) return false;
      const pr = this.rng.pick(prs);
      const to = this.rng.weighted({ merged: 4, closed: 1 });
      this.writer.transitionPr(pr.repo, pr.pr, pr.issue, undefined, to, null, null, now);
      if (!String(pr.branch).startsWith('agent/design/') && this.rng.chance(0.7)) {
        this.writer.setGithubState({ repo: pr.repo, issue: pr.issue, state: 'closed', at: now });
      }
      return true;
    },

    unblock: (now) => {
      const prs = this.#prs('blocked').filter((p) => this.#age(p.updated_at) >= this.#minRunMs * 5);
      if (!prs.length) return false;
      const pr = this.rng.pick(prs);
      this.writer.operatorCommand({
        repo: pr.repo,
        issue: pr.issue,
        pr: pr.pr,
        commentId: this.#commentId(),
        author: this.rng.pick(AUTHORS),
        command: 'unblock',
        args: { pr: pr.pr },
        status: 'applied',
        result: `Unblocked PR #${pr.pr}`,
        at: now,
      });
      this.writer.transitionPr(
        pr.repo,
        pr.pr,
        pr.issue,
        'blocked',
        'awaiting_feedback',
        'manual_unblock',
        null,
        now,
      );
      return true;
    },

    start_implementation: (now) => {
      const issues = this.#all(
        `SELECT r.repo_full_name AS repo, r.issue_number AS issue, r.branch FROM issue_runs r
         WHERE r.repo_full_name IN ${this.#repoIn} AND r.status = 'merged' AND r.branch LIKE 'agent/design/%'
         ORDER BY r.repo_full_name, r.issue_number`,
      );
      if (!issues.length) return false;
      const it = this.rng.pick(issues);
      const branch = String(it.branch).replace('agent/design/', 'agent/impl/');
      this.writer.startRun({
        repo: it.repo,
        issue: it.issue,
        runKind: 'implementation_flow',
        flow: 'implementation',
        branch,
        startedAt: now,
        format: this.#fmt(),
        prompt: this.#prompt('implementation', it.issue, branch),
      });
      return true;
    },

    answer_followup: (now) => {
      const issues = this.#all(
        `SELECT f.repo_full_name AS repo, f.issue_number AS issue, f.flow, f.branch, f.updated_at
         FROM pre_pr_followup_state f JOIN issue_runs r
           ON r.repo_full_name = f.repo_full_name AND r.issue_number = f.issue_number
         WHERE f.repo_full_name IN ${this.#repoIn} AND r.status = 'awaiting_issue_followup'
         ORDER BY f.repo_full_name, f.issue_number`,
      ).filter((f) => this.#age(f.updated_at) >= this.#minRunMs * 2);
      if (!issues.length) return false;
      const it = this.rng.pick(issues);
      const comment = this.#commentId();
      this.writer.pollCursor({
        repo: it.repo,
        surface: 'issue_pre_pr_followups',
        scopeNumber: it.issue,
        lastUpdatedAt: now - 5000,
        lastCommentId: comment,
        at: now,
      });
      this.writer.startRun({
        repo: it.repo,
        issue: it.issue,
        runKind: 'pre_pr_followup',
        flow: it.flow,
        branch: it.branch,
        startedAt: now,
        format: this.#fmt(),
        prompt: this.#prompt(it.flow, it.issue, it.branch),
      });
      return true;
    },

    retry_failed: (now) => {
      const issues = this.#all(
        `SELECT r.repo_full_name AS repo, r.issue_number AS issue, r.branch, r.updated_at,
           (SELECT h.flow FROM agent_run_history h WHERE h.repo_full_name = r.repo_full_name
              AND h.issue_number = r.issue_number ORDER BY h.started_at DESC LIMIT 1) AS flow
         FROM issue_runs r
         WHERE r.repo_full_name IN ${this.#repoIn} AND r.status = 'failed' AND r.retry_count < 3
           AND r.pr_number IS NULL
         ORDER BY r.repo_full_name, r.issue_number`,
      ).filter((r) => this.#age(r.updated_at) >= this.#minRunMs * 2);
      if (!issues.length) return false;
      const it = this.rng.pick(issues);
      const flow = it.flow ?? 'bugfix';
      const branch = it.branch ?? this.#branch(flow, it.issue);
      this.writer.startRun({
        repo: it.repo,
        issue: it.issue,
        runKind: flow === 'implementation' ? 'implementation_flow' : 'issue_flow',
        flow,
        branch,
        startedAt: now,
        format: this.#fmt(),
        prompt: this.#prompt(flow, it.issue, branch),
      });
      return true;
    },

    takeover: (now) => {
      const issues = this.#all(
        `SELECT r.repo_full_name AS repo, r.issue_number AS issue FROM issue_runs r
         WHERE r.repo_full_name IN ${this.#repoIn}
           AND r.status IN ('awaiting_issue_followup', 'blocked', 'awaiting_feedback')
           AND NOT EXISTS (SELECT 1 FROM issue_takeover_state t WHERE t.repo_full_name = r.repo_full_name
              AND t.issue_number = r.issue_number)
         ORDER BY r.repo_full_name, r.issue_number`,
      );
      if (!issues.length) return false;
      const it = this.rng.pick(issues);
      this.writer.setTakeover({
        repo: it.repo,
        issue: it.issue,
        ignoreActive: this.rng.chance(0.85),
        at: now,
      });
      return true;
    },

    github_state: (now) => {
      const issues = this.#all(
        `SELECT repo_full_name AS repo, issue_number AS issue FROM issue_runs
         WHERE repo_full_name IN ${this.#repoIn} AND github_state IS NULL
           AND status IN ('awaiting_issue_followup', 'blocked', 'awaiting_feedback', 'failed')
         ORDER BY repo_full_name, issue_number`,
      );
      if (!issues.length) return false;
      const it = this.rng.pick(issues);
      const state = this.rng.weighted({ open: 3, OPEN: 1, closed: 1.5, CLOSED: 0.5 });
      return this.writer.setGithubState({ repo: it.repo, issue: it.issue, state, at: now });
    },

    roadmap: (now) => {
      const active = this.#all(
        `SELECT repo_full_name AS repo, roadmap_issue_number AS issue, adjustment_state FROM roadmap_state
         WHERE repo_full_name IN ${this.#repoIn} AND status = 'active'
         ORDER BY repo_full_name, roadmap_issue_number`,
      );
      if (active.length < this.repos.length && this.rng.chance(0.5)) {
        const repo = this.rng.pick(this.repos);
        const issue = this.#number(repo);
        this.writer.upsertRoadmap({ repo, issue, prNumber: this.#number(repo), at: now });
        const n = this.rng.int(2, 4);
        for (let i = 1; i <= n; i++) {
          this.writer.upsertRoadmapNode({
            repo,
            roadmap: issue,
            nodeId: `n${i}`,
            kind: i === 1 ? 'small_job' : this.rng.pick(['small_job', 'design_doc', 'bugfix']),
            title: `${this.rng.pick(WORDS)} ${this.rng.pick(WORDS)} step ${i}`,
            status: 'pending',
            dependsOn: i > 1 ? [`n${i - 1}`] : [],
            at: now,
          });
        }
        return true;
      }
      if (!active.length) return false;
      const rm = this.rng.pick(active);
      if (this.rng.chance(0.05)) {
        const status = this.rng.weighted({ abandoned: 1, superseded: 1, awaiting: 1 });
        if (status === 'awaiting') {
          this.writer.upsertRoadmap({
            repo: rm.repo,
            issue: rm.issue,
            adjustmentState: rm.adjustment_state === 'idle' ? 'awaiting_revision_merge' : 'idle',
            revisionRequestedAt: now,
            at: now,
          });
        } else {
          this.writer.upsertRoadmap({ repo: rm.repo, issue: rm.issue, status, at: now });
        }
        return true;
      }
      const nodes = this.#all(
        `SELECT node_id, status FROM roadmap_nodes WHERE repo_full_name = ? AND roadmap_issue_number = ?
           AND status IN ('pending', 'issued', 'blocked') ORDER BY node_id`,
        rm.repo,
        rm.issue,
      );
      if (!nodes.length) {
        this.writer.upsertRoadmap({ repo: rm.repo, issue: rm.issue, status: 'completed', at: now });
        return true;
      }
      const node = nodes[0];
      const next =
        node.status === 'pending'
          ? 'issued'
          : node.status === 'blocked'
            ? 'issued'
            : this.rng.weighted({ completed: 3, blocked: 1 });
      this.writer.upsertRoadmapNode({
        repo: rm.repo,
        roadmap: rm.issue,
        nodeId: node.node_id,
        status: next,
        ...(node.status === 'pending' ? { childIssue: this.#number(rm.repo) } : {}),
        at: now,
      });
      return true;
    },

    operator_noise: (now) => {
      const issues = this.#all(
        `SELECT repo_full_name AS repo, issue_number AS issue, pr_number AS pr FROM issue_runs
         WHERE repo_full_name IN ${this.#repoIn} ORDER BY repo_full_name, issue_number`,
      );
      if (!issues.length) return false;
      const it = this.rng.pick(issues);
      const help = this.rng.chance(0.5);
      this.writer.operatorCommand({
        repo: it.repo,
        issue: it.issue,
        pr: it.pr,
        commentId: this.#commentId(),
        author: this.rng.pick([...AUTHORS, 'mallory']),
        command: help ? 'help' : 'invalid',
        args: {},
        status: help ? 'applied' : 'rejected',
        result: help ? 'Posted command help' : 'Unknown command: /mergexo frobnicate',
        at: now,
      });
      return true;
    },

    restart: (now) => {
      const op = this.#all("SELECT status FROM runtime_operations WHERE op_name = 'restart'")[0];
      if (op && (op.status === 'pending' || op.status === 'running')) return false;
      const repo = this.rng.pick(this.repos);
      const issues = this.#all(
        'SELECT issue_number AS issue FROM issue_runs WHERE repo_full_name = ? LIMIT 1',
        repo,
      );
      if (!issues.length) return false;
      const author = this.rng.pick(AUTHORS);
      const key = this.writer.operatorCommand({
        repo,
        issue: issues[0].issue,
        commentId: this.#commentId(),
        author,
        command: 'restart',
        args: { mode: 'git_checkout' },
        status: 'applied',
        result: 'Restart requested',
        at: now,
      });
      this.writer.runtimeOperation({
        status: 'pending',
        requestedBy: author,
        requestCommandKey: key,
        requestRepo: repo,
        mode: 'git_checkout',
        at: now,
      });
      return true;
    },

    restart_progress: (now) => {
      const op = this.#all("SELECT status FROM runtime_operations WHERE op_name = 'restart'")[0];
      if (!op || (op.status !== 'pending' && op.status !== 'running')) return false;
      if (op.status === 'pending') {
        this.writer.runtimeOperation({ status: 'running', detail: 'Draining workers', at: now });
      } else {
        // The service restarts: like MergeXO at start-up, unfinished runs are closed as interrupted.
        if (this.#interruptOnRestart) this.writer.reconcileUnfinished({ at: now });
        this.writer.runtimeOperation({
          status: 'completed',
          detail: 'Restarted after git checkout',
          at: now,
        });
      }
      return true;
    },
  };

  /**
   * Performs one step: a weighted draw among the actions that apply; returns the action's name
   * (`idle` when nothing applied). On a virtual clock, time advances by `stepMs` first.
   */
  step() {
    if (!this.#clock) this.#virtualNow += this.#stepMs;
    const now = this.now();
    /** @type {Record<string, number>} */
    const pool = { ...ACTION_WEIGHTS };
    let name = 'idle';
    while (Object.keys(pool).length) {
      const pick = this.rng.weighted(pool);
      if (this.#actions[/** @type {keyof typeof ACTION_WEIGHTS} */ (pick)](now)) {
        name = pick;
        break;
      }
      delete pool[pick];
    }
    this.counts[name] = (this.counts[name] ?? 0) + 1;
    this.stepsDone++;
    return name;
  }

  /**
   * A heartbeat: every live run whose agent is active gets its meta_json rewritten with a fresh
   * last_progress_at (MergeXO does this as the agent streams output). Returns how many were rewritten.
   */
  tick() {
    const now = this.now();
    let n = 0;
    for (const run of this.liveRuns()) {
      if (safeMeta(run.meta_json).codex_active === true && this.writer.progress(run.run_id, now)) n++;
    }
    return n;
  }

  /** A one-line summary of the current state, for humans watching a demo. */
  summary() {
    const live = this.liveRuns();
    const active = live.filter((r) => safeMeta(r.meta_json).codex_active === true).length;
    const count = (/** @type {string} */ status) => this.#prs(status).length;
    const waiting = this.#all(
      `SELECT count(*) AS n FROM issue_runs WHERE repo_full_name IN ${this.#repoIn}
         AND status = 'awaiting_issue_followup'`,
    )[0].n;
    return (
      `${formatTs(this.now(), 's')} steps=${this.stepsDone} live=${live.length} active=${active} ` +
      `tracked=${count('awaiting_feedback')} blocked=${count('blocked')} followups=${waiting} ` +
      `merged=${count('merged')} closed=${count('closed')}`
    );
  }
}

/** @param {string} text @returns {Record<string, unknown>} */
function safeMeta(text) {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

/**
 * Performs `steps` simulation steps synchronously (for tests). Ticks (meta heartbeat of every active
 * run) every `tickEvery` steps. Pass `sim` to continue an earlier simulation.
 * @param {ConstructorParameters<typeof Simulation>[0] & { steps: number, tickEvery?: number,
 *   sim?: Simulation }} o
 * @returns {{ sim: Simulation, counts: Record<string, number>, now: number }}
 */
export function simulate(o) {
  const sim = o.sim ?? new Simulation(o);
  const tickEvery = o.tickEvery ?? 5;
  for (let i = 0; i < o.steps; i++) {
    sim.step();
    if (tickEvery > 0 && (i + 1) % tickEvery === 0) sim.tick();
  }
  return { sim, counts: { ...sim.counts }, now: sim.now() };
}

// ---------------------------------------------------------------------------------------------------
// mergexo.toml

const TOML_MARKER = '# Written by tools/simulate.mjs';

/**
 * Writes `<workspace>/mergexo.toml` pointing MergeXO (and our extension) at the simulated base dir.
 * Leaves an existing mergexo.toml alone unless this tool wrote it. Returns the path, or null if kept.
 * @param {string} workspace
 * @param {string} baseDir
 * @param {readonly string[]} repos
 */
export function writeWorkspaceToml(workspace, baseDir, repos) {
  fs.mkdirSync(workspace, { recursive: true });
  const file = path.join(workspace, 'mergexo.toml');
  if (fs.existsSync(file) && !fs.readFileSync(file, 'utf8').startsWith(TOML_MARKER)) return null;
  const ids = new Set();
  const tables = repos.map((full, i) => {
    const [owner = '', name = ''] = full.split('/');
    let id = name.replace(/[^A-Za-z0-9_-]/g, '_');
    if (ids.has(id)) id = `${owner}_${id}`.replace(/[^A-Za-z0-9_-]/g, '_');
    ids.add(id);
    // The first table leaves `name` out: MergeXO then uses the table id as the name.
    const nameLine = i === 0 && id === name ? '' : `name = ${JSON.stringify(name)}\n`;
    return `[repo.${id}]\nowner = ${JSON.stringify(owner)}\n${nameLine}default_branch = "main"\n`;
  });
  const text =
    `${TOML_MARKER} for a simulated MergeXO service. Safe to delete.\n\n` +
    `[runtime]\nbase_dir = ${JSON.stringify(path.resolve(baseDir))}\nworker_count = 2\n` +
    `poll_interval_seconds = 60\nenable_feedback_loop = true\nobservability_refresh_seconds = 2\n` +
    `observability_default_window = "24h"\nobservability_row_limit = 200\n` +
    `observability_history_retention_days = 90\n\n${tables.join('\n')}`;
  fs.writeFileSync(file, text);
  return file;
}

// ---------------------------------------------------------------------------------------------------
// CLI

const USAGE = `Usage: node tools/simulate.mjs --base-dir DIR [options]

Imitates a running MergeXO service writing DIR/state.db (created if missing) while holding
DIR/writer.lock. Stops on SIGINT / SIGTERM, or after --seconds.

  --base-dir DIR          MergeXO's runtime dir (state.db and writer.lock go here)   (required)
  --repos a/b,c/d         repositories (default ${DEFAULT_REPOS.join(',')})
  --rate N                steps per second (default 2)
  --seconds S             stop after S seconds (default: run until stopped)
  --seed N                PRNG seed (default: random, printed)
  --checkpoint-every N    PRAGMA wal_checkpoint(TRUNCATE) every N steps (default 0: never)
  --workspace DIR         also write DIR/mergexo.toml with [runtime] base_dir and [repo.*] tables
  --clock real|virtual    real time (default) or a virtual clock as fast as possible
  --start ISO             virtual clock start (default: --seconds before ${PINNED_NOW})
  --workers N             concurrent issue runs per repository (default 2)
  --min-run-seconds S     shortest run (default 20; 60 on a virtual clock)
  --mixed-formats         write some started_at / finished_at with microseconds or whole seconds
  --connection per-op|held  open and close a connection per operation, as MergeXO does (so
                          state.db-wal disappears whenever no reader is attached), or hold one
                          (default: per-op on the real clock, held on the virtual clock: faster)
  --no-reconcile          do not close unfinished runs as interrupted at start-up
  --quiet                 no status lines
`;

/** @param {string[]} argv */
export async function main(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'base-dir': { type: 'string' },
      repos: { type: 'string' },
      rate: { type: 'string', default: '2' },
      seconds: { type: 'string' },
      seed: { type: 'string' },
      'checkpoint-every': { type: 'string', default: '0' },
      workspace: { type: 'string' },
      clock: { type: 'string', default: 'real' },
      start: { type: 'string' },
      workers: { type: 'string', default: '2' },
      'min-run-seconds': { type: 'string' },
      'mixed-formats': { type: 'boolean', default: false },
      connection: { type: 'string' },
      'no-reconcile': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || !values['base-dir']) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  const baseDir = path.resolve(values['base-dir']);
  const repos = values.repos
    ? values.repos
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean)
    : [...DEFAULT_REPOS];
  const rate = Number(values.rate);
  const seconds = values.seconds === undefined ? Infinity : Number(values.seconds);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  const checkpointEvery = Number(values['checkpoint-every']);
  const virtual = values.clock === 'virtual';
  if (!(rate > 0) || !(seconds > 0) || !Number.isInteger(seed) || (virtual && seconds === Infinity)) {
    process.stderr.write(
      'Unable to start. --rate and --seconds must be positive ' +
        '(--seconds is required with --clock virtual).\n',
    );
    return 2;
  }
  const log = (/** @type {string} */ line) => values.quiet || process.stdout.write(`${line}\n`);

  const lock = acquireLock(baseDir, { command: 'service' });
  const file = path.join(baseDir, 'state.db');
  /** @type {Simulation | undefined} */
  let sim;
  let stopping = false;
  const stop = () => {
    stopping = true;
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    if (!fs.existsSync(file)) {
      createMergexoDb(file).close();
      log(`created ${file}`);
    }
    if (values.workspace) {
      const toml = writeWorkspaceToml(values.workspace, baseDir, repos);
      log(toml ? `wrote ${toml}` : `kept the existing ${path.join(values.workspace, 'mergexo.toml')}`);
    }
    const stepMs = 1000 / rate;
    const start = values.start ?? toMs(PINNED_NOW) - (virtual ? seconds * 1000 : 0);
    const realClock = () => performance.timeOrigin + performance.now();
    sim = new Simulation({
      ...((values.connection ?? (virtual ? 'held' : 'per-op')) === 'held'
        ? { db: openMergexoDb(file) }
        : { file }),
      seed,
      repos,
      ...(virtual ? { start, stepMs } : { clock: realClock }),
      workersPerRepo: Number(values.workers),
      minRunMs: Number(values['min-run-seconds'] ?? (virtual ? 60 : 20)) * 1000,
      mixedFormats: values['mixed-formats'],
    });
    if (!values['no-reconcile']) {
      const closed = sim.writer.reconcileUnfinished({ at: sim.now() });
      if (closed) log(`closed ${closed} unfinished run(s) as interrupted (as MergeXO does at start-up)`);
    }
    log(`simulating ${repos.join(', ')} at ${rate} step(s)/s, seed ${seed}, lock ${lock.path}`);

    const checkpoint = () => {
      if (checkpointEvery > 0 && sim && sim.stepsDone % checkpointEvery === 0)
        sim.writer.checkpoint('TRUNCATE');
    };
    if (virtual) {
      const total = Math.round(seconds * rate);
      const perTick = Math.max(1, Math.round(rate));
      for (let i = 0; i < total && !stopping; i++) {
        sim.step();
        checkpoint();
        if ((i + 1) % perTick === 0) sim.tick();
        if (i % 100 === 0) await new Promise((r) => setImmediate(r)); // let signals in
      }
      log(sim.summary());
    } else {
      const began = Date.now();
      let lastTick = began;
      while (!stopping && Date.now() - began < seconds * 1000) {
        const due = Math.floor(((Date.now() - began) * rate) / 1000) - sim.stepsDone;
        for (let i = 0; i < due && !stopping; i++) {
          sim.step();
          checkpoint();
        }
        if (Date.now() - lastTick >= 1000) {
          lastTick = Date.now();
          sim.tick();
          log(sim.summary());
        }
        await new Promise((r) => setTimeout(r, Math.min(100, stepMs)));
      }
    }
    log(`stopped after ${sim.stepsDone} steps: ${JSON.stringify(sim.counts)}`);
    return 0;
  } finally {
    sim?.writer.close();
    lock.release();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
