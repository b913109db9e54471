#!/usr/bin/env node
// Generates a MergeXO-shaped state.db for benchmarks: the exact schema and indexes MergeXO creates
// (tools/mergexo-schema.sql, dumped from a fixture written by MergeXO), filled with a deterministic,
// internally consistent history over many repositories and days, ending at a pinned "now".
//
//   node bench/generate.mjs --size large     # bench/data/large.db + bench/data/large.json
//   node bench/generate.mjs --size small     # bench/data/small.db + bench/data/small.json
//   node bench/generate.mjs --size small,large   # both (what `npm run bench:data` runs)
//   options: --seed N (default 20260315), --out DIR (default bench/data), --now ISO (default pinned)
//
// Shape of `large` (`small` is the same story at 1/100, with a floor on the rare categories):
// - 1,000,000 agent_run_history rows over 20 repositories (Zipf-like: a few busy, many quiet) and 90
//   days. Most runs are feedback turns: MergeXO records one per poll of a tracked PR, and most polls
//   find nothing to do (no agent process, a few seconds). The metric sample (issue, implementation and
//   follow-up runs) is about 9 % of rows, with a realistic failure mix.
// - ~200 live runs (finished_at NULL): most with an agent process (codex_active true), some polling or
//   preparing, a few left by a crash days ago, and a handful of damaged meta_json (the string "true",
//   truncated JSON, `{}`) that a reader must not count as active.
// - 100,000 pr_status_history transitions over 40,000 PRs; 5,000 PRs still tracked (4,000
//   awaiting_feedback, 1,000 blocked), the rest merged or closed.
// - 50,000 feedback_events, ~9 % pending (on blocked PRs and some awaiting ones).
// - issue_runs consistent with the runs (status of the last step, active_run_id of live runs),
//   awaiting follow-ups with pre_pr_followup_state, takeovers, GitHub states in mixed case, operator
//   commands, a restart operation, action tokens and poll cursors, roadmaps with blocked nodes.
// - Timestamp formats as production: SQLite-made columns in milliseconds, meta_json in microseconds,
//   GitHub-made values in whole seconds; started_at / finished_at of runs are 90 % ms, 8 % us (values
//   MergeXO's Python passes in) and 2 % whole seconds, so text comparison quirks show up.
//
// Written for speed: prepared statements in big transactions, journal off while loading, switched to
// WAL (as MergeXO leaves the file) at the end. No ANALYZE: MergeXO never runs it, so neither do we.
// The manifest <name>.json records the pinned now, the seed and the counts a benchmark can assert.

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

import Database from 'better-sqlite3';

import {
  FAILURE_CLASSES,
  FLOWS,
  PINNED_NOW,
  RUN_KINDS,
  TERMINAL_STATUSES,
  createRng,
  formatTs,
  pyJson,
  schemaSql,
  toMs,
} from '../tools/mergexo-writer.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const GENERATOR_VERSION = 1;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * @typedef {{ runs: number, repos: number, days: number, live: number, transitions: number,
 *   openPrs: number, blockedPrs: number, events: number, followups: number, failedIssues: number,
 *   takeovers: number, roadmaps: number }} Size
 */
/** @type {Record<string, Size>} */
export const SIZES = {
  large: {
    runs: 1_000_000,
    repos: 20,
    days: 90,
    live: 200,
    transitions: 100_000,
    openPrs: 5_000,
    blockedPrs: 1_000,
    events: 50_000,
    followups: 1_000,
    failedIssues: 6_000,
    takeovers: 500,
    roadmaps: 200,
  },
  small: {
    runs: 10_000,
    repos: 20,
    days: 90,
    live: 20, // 2 by proportion; 20 so every live-run variant (and the damaged meta) is present
    transitions: 1_000,
    openPrs: 50,
    blockedPrs: 10,
    events: 500,
    followups: 10,
    failedIssues: 60,
    takeovers: 5,
    roadmaps: 10,
  },
};
// Not part of `npm run bench:data`: the small database's current work (tracked PRs, live runs,
// events) under the large database's run history, to tell what a refresh owes to history alone.
SIZES.history = { ...SIZES.small, runs: 1_000_000 };

const OWNERS = ['acme', 'octo', 'globex', 'initech', 'umbrella'];
const NAMES = ['widgets', 'gadgets', 'docs', 'api', 'web', 'cli', 'infra', 'mobile'];
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
  'quota',
];
const FLOW_DIRS = ['ref', 'design', 'bugfix', 'small', 'roadmap', 'impl']; // parallel to FLOWS
const WAITING_REASONS = [
  'Need reproduction steps from the reporter',
  'Which locales should be supported?',
  'Ambiguous acceptance criteria: which API version?',
  'Cannot reproduce: please attach a heap dump',
  'Should the old endpoint stay for one release?',
];
/** Error texts; `{branch}` is filled in. Index lists per failure class below. */
const ERRORS = [
  'codex exited with status 1',
  'RuntimeError: git push rejected (non-fast-forward)',
  "Unexpected error: CommandError('git fetch failed')",
  'required pre-push tests failed: 3 failed',
  'required pre-push tests failed: 1 failed',
  'GitHub API rate limit exceeded',
  'GitHub API returned 502 Bad Gateway',
  'history rewrite detected on {branch}: non-fast-forward update (force-push by a human?)',
  'codex timed out after 3600s',
  ...WAITING_REASONS,
];
const ERRORS_BY_CLASS = /** @type {Record<string, number[]>} */ ({
  agent_error: [0, 1, 2],
  tests_failed: [3, 4],
  github_error: [5, 6],
  history_rewrite: [7],
  timeout: [8],
  policy_block: WAITING_REASONS.map((_, i) => 9 + i),
});
const NONE = 255;

const KIND = Object.fromEntries(RUN_KINDS.map((k, i) => [k, i]));
const FLOW = Object.fromEntries(FLOWS.map((f, i) => [f, i]));
const STATUS = Object.fromEntries(TERMINAL_STATUSES.map((s, i) => [s, i]));
const FC = Object.fromEntries(FAILURE_CLASSES.map((c, i) => [c, i]));

/** meta_json shapes */
const META = {
  finishedCodex: 0,
  finishedPolling: 1,
  liveActive: 2,
  livePolling: 3,
  livePreparing: 4,
  badStringTrue: 5,
  badTruncated: 6,
  badEmpty: 7,
};

/** 32 hex characters from a run's index: unique per index (fmix32 is a bijection), stable per seed. */
/** @param {number} seed @param {number} i */
function runIdFor(seed, i) {
  let s = '';
  for (let k = 0; k < 4; k++) {
    let h = (seed ^ Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca77)) >>> 0;
    if (k > 0) h = (h ^ Math.imul(i, 0xc2b2ae35)) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    s += (h >>> 0).toString(16).padStart(8, '0');
  }
  return s;
}

/**
 * @typedef {{ kind: number, start: number, end: number, status: number, fc: number, err: number,
 *   meta: number, impl: boolean, pr: Pr | null }} RunSpec  end NaN = live
 * @typedef {{ story: Story, impl: boolean, status: string, tCreate: number, tEnd: number,
 *   number: number, turns: number, codexBatches: number[], cycles: number, transients: number,
 *   pending: number, liveTurn: number, updatedAt: number, headSha: string | null,
 *   activeRunIndex: number, blockError: string | null }} Pr
 * @typedef {{ repo: number, flow: number, issue: number, start: number, slug: string, runs: RunSpec[],
 *   prs: Pr[], kind: string, waitingReason: string | null, liveRunIndex: number }} Story
 */

/**
 * Builds the database. Returns the manifest.
 * @param {{ size: string, seed?: number, out?: string, now?: string, log?: (line: string) => void }} o
 */
export function generate(o) {
  const t0 = performance.now();
  const size = SIZES[o.size];
  if (!size) throw new Error(`Unknown size ${o.size}. Use one of: ${Object.keys(SIZES).join(', ')}.`);
  const seed = o.seed ?? 20260315;
  const nowText = o.now ?? PINNED_NOW;
  const now = toMs(nowText);
  const begin = now - size.days * DAY;
  const rng = createRng(seed);
  const log = o.log ?? (() => {});
  const outDir = o.out ?? path.join(HERE, 'data');

  // Repositories, Zipf-like activity.
  /** @type {string[]} */
  const repos = [];
  for (let i = 0; repos.length < size.repos; i++) {
    repos.push(`${OWNERS[i % OWNERS.length]}/${NAMES[Math.floor(i / OWNERS.length) % NAMES.length]}`);
  }
  const repoWeights = repos.map((_, i) => 1 / Math.sqrt(i + 1));
  const repoTotal = repoWeights.reduce((a, b) => a + b, 0);
  const pickRepo = () => {
    let r = rng.next() * repoTotal;
    for (let i = 0; i < repoWeights.length; i++) {
      r -= /** @type {number} */ (repoWeights[i]);
      if (r < 0) return i;
    }
    return repos.length - 1;
  };
  const lognormal = (/** @type {number} */ median, /** @type {number} */ sigma) => {
    const u = Math.max(1e-12, rng.next());
    const v = rng.next();
    return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  };
  const clamp = (/** @type {number} */ x, /** @type {number} */ lo, /** @type {number} */ hi) =>
    Math.min(hi, Math.max(lo, x));
  const durFor = (/** @type {number} */ kind) => {
    const ms =
      kind === KIND.implementation_flow
        ? lognormal(30 * MIN, 0.6)
        : kind === KIND.pre_pr_followup
          ? lognormal(12 * MIN, 0.6)
          : lognormal(15 * MIN, 0.6);
    return Math.round(clamp(ms, MIN, 58 * MIN)) + rng.int(0, 2);
  };
  const failClass = () =>
    rng.weighted({ agent_error: 35, tests_failed: 30, github_error: 15, timeout: 10, x: 10 });
  /** @param {string} fcName */
  const errFor = (fcName) => rng.pick(/** @type {number[]} */ (ERRORS_BY_CLASS[fcName]));

  // ------------------------------------------------------------------------------------------------
  // Pass 1: stories (issues) and PR skeletons.

  const merged = Math.round(size.openPrs * 7 * 0.8);
  const closed = Math.round(size.openPrs * 7 * 0.2);
  const awaiting = size.openPrs - size.blockedPrs;
  const totalPrs = size.openPrs + merged + closed;
  const liveFb = Math.round(size.live * 0.3);
  const liveImpl = Math.round(size.live * 0.1);
  const liveFollowup = Math.round(size.live * 0.08);
  const liveIssue = size.live - liveFb - liveImpl - liveFollowup;
  const implPairs = Math.round(totalPrs * 0.15);

  /** @type {string[]} */
  const prStatuses = [
    ...Array(awaiting).fill('awaiting_feedback'),
    ...Array(size.blockedPrs).fill('blocked'),
    ...Array(merged).fill('merged'),
    ...Array(closed).fill('closed'),
  ];
  shuffle(prStatuses, rng);
  const mergedIdx = prStatuses.flatMap((s, i) => (s === 'merged' ? [i] : []));
  const designSides = new Set(mergedIdx.slice(0, implPairs + liveImpl));
  const pairDesign = mergedIdx.slice(0, implPairs);
  const liveImplDesign = mergedIdx.slice(implPairs, implPairs + liveImpl);
  const others = prStatuses.map((_, i) => i).filter((i) => !designSides.has(i));
  const implSides = others.slice(0, implPairs);
  const singles = others.slice(implPairs);

  /** @type {Story[]} */
  const stories = [];
  /** @type {Pr[]} */
  const prs = [];
  /** @param {string} kind @param {number} flow */
  const newStory = (kind, flow) => {
    /** @type {Story} */
    const s = {
      repo: pickRepo(),
      flow,
      issue: 0,
      start: 0,
      slug: `${rng.pick(WORDS)}-${rng.pick(WORDS)}`,
      runs: [],
      prs: [],
      kind,
      waitingReason: null,
      liveRunIndex: -1,
    };
    stories.push(s);
    return s;
  };
  /** @param {Story} story @param {boolean} impl @param {string} status */
  const newPr = (story, impl, status) => {
    /** @type {Pr} */
    const pr = {
      story,
      impl,
      status,
      tCreate: 0,
      tEnd: 0,
      number: 0,
      turns: 0,
      codexBatches: [],
      cycles: 0,
      transients: 0,
      pending: 0,
      liveTurn: NONE,
      updatedAt: 0,
      headSha: null,
      activeRunIndex: -1,
      blockError: null,
    };
    story.prs.push(pr);
    prs.push(pr);
    return pr;
  };
  /** PR time window by final status. @param {Pr} pr @param {number} [latestEnd] */
  const placePr = (pr, latestEnd = now - 10 * MIN) => {
    if (pr.status === 'awaiting_feedback' || pr.status === 'blocked') {
      pr.tCreate = now - rng.int(2 * HOUR, 20 * DAY);
      pr.tEnd = pr.status === 'blocked' ? pr.tCreate + (now - 5 * MIN - pr.tCreate) * rng.next() : now - MIN;
    } else {
      const life = clamp(rng.exp(2.5 * DAY), HOUR, 20 * DAY);
      pr.tEnd = rng.int(Math.floor(begin + life + DAY), Math.floor(latestEnd));
      pr.tCreate = pr.tEnd - life;
    }
  };
  /**
   * Runs that lead to a PR (or a live run), ending at `end`: failed attempts, optionally a blocked run
   * and a follow-up, then the final run. Returns the start of the first run.
   * @param {Story} story @param {number} kind @param {number} end @param {{ live?: boolean,
   *   finalStatus?: number, followup?: boolean }} o
   */
  const preRuns = (story, kind, end, o = {}) => {
    /** @type {RunSpec[]} */
    const specs = [];
    const impl = kind === KIND.implementation_flow;
    const dur = durFor(kind);
    const followup = o.followup ?? (!impl && rng.chance(0.1));
    specs.push({
      kind: followup ? KIND.pre_pr_followup : kind,
      start: end - dur,
      end: o.live ? NaN : end,
      status: o.live ? NONE : (o.finalStatus ?? STATUS.completed),
      fc: NONE,
      err: NONE,
      meta: o.live ? META.liveActive : META.finishedCodex,
      impl,
      pr: null,
    });
    let t = end - dur;
    if (followup) {
      t -= rng.int(HOUR, 2 * DAY);
      const d = durFor(kind);
      const err = errFor('policy_block');
      story.waitingReason = ERRORS[err] ?? null;
      specs.push({
        kind,
        start: t - d,
        end: t,
        status: STATUS.blocked,
        fc: FC.policy_block,
        err,
        meta: META.finishedCodex,
        impl,
        pr: null,
      });
      t -= d;
    }
    const fails = rng.weighted({ 0: 70, 1: 22, 2: 8 });
    for (let i = 0; i < Number(fails); i++) {
      t -= rng.int(MIN, 30 * MIN);
      const c = failClass();
      const d = c === 'timeout' ? HOUR + rng.int(0, 2) : durFor(kind);
      specs.push({
        kind,
        start: t - d,
        end: t,
        status: c === 'x' ? STATUS.interrupted : STATUS.failed,
        fc: c === 'x' ? FC.unknown : FC[c],
        err: c === 'x' ? NONE : errFor(c),
        meta: META.finishedCodex,
        impl,
        pr: null,
      });
      t -= d;
    }
    specs.reverse();
    story.runs.push(...specs);
    return t;
  };
  const singleFlow = () =>
    FLOW[rng.weighted({ bugfix: 35, small_job: 30, design_doc: 25, reference_doc: 7, roadmap: 3 })];

  // PR stories: design + implementation pairs, then single-PR stories.
  for (let i = 0; i < implPairs; i++) {
    const story = newStory('pr', FLOW.design_doc);
    const d = newPr(story, false, /** @type {string} */ (prStatuses[/** @type {number} */ (pairDesign[i])]));
    const m = newPr(story, true, /** @type {string} */ (prStatuses[/** @type {number} */ (implSides[i])]));
    placePr(m);
    const implRunEnd = m.tCreate;
    const implStart = preRuns(story, KIND.implementation_flow, implRunEnd);
    const life = clamp(rng.exp(2 * DAY), HOUR, 10 * DAY);
    d.tEnd = implStart - rng.int(10 * MIN, DAY);
    d.tCreate = Math.max(begin + HOUR, d.tEnd - life);
    const designRuns = story.runs.splice(0);
    story.start = preRuns(story, KIND.issue_flow, d.tCreate);
    story.runs.push(...designRuns);
  }
  for (const i of singles) {
    const story = newStory('pr', /** @type {number} */ (singleFlow()));
    const pr = newPr(story, false, /** @type {string} */ (prStatuses[i]));
    placePr(pr);
    story.start = preRuns(story, KIND.issue_flow, pr.tCreate);
  }
  // Live implementation runs after a merged design PR.
  for (let i = 0; i < liveImplDesign.length; i++) {
    const story = newStory('live_impl', FLOW.design_doc);
    const d = newPr(story, false, 'merged');
    const liveStart = now - rng.int(2 * MIN, 3 * HOUR);
    const implStart = Math.min(
      liveStart,
      preRuns(story, KIND.implementation_flow, liveStart + 1, { live: true }),
    );
    /** @type {RunSpec} */ (story.runs[story.runs.length - 1]).start = liveStart;
    d.tEnd = implStart - rng.int(10 * MIN, 2 * DAY);
    d.tCreate = d.tEnd - clamp(rng.exp(2 * DAY), HOUR, 10 * DAY);
    const implRuns = story.runs.splice(0);
    story.start = preRuns(story, KIND.issue_flow, d.tCreate);
    story.runs.push(...implRuns);
  }
  // Failed-for-good issues.
  for (let i = 0; i < size.failedIssues; i++) {
    const story = newStory('failed', /** @type {number} */ (singleFlow()));
    let t = rng.int(Math.floor(begin + DAY), Math.floor(now - HOUR));
    const n = rng.weighted({ 1: 60, 2: 30, 3: 10 });
    /** @type {RunSpec[]} */
    const specs = [];
    for (let k = 0; k < Number(n); k++) {
      let c = failClass();
      if (c === 'x') c = 'agent_error';
      const d = c === 'timeout' ? HOUR + rng.int(0, 2) : durFor(KIND.issue_flow);
      specs.push({
        kind: KIND.issue_flow,
        start: t - d,
        end: t,
        status: STATUS.failed,
        fc: FC[c],
        err: errFor(c),
        meta: META.finishedCodex,
        impl: false,
        pr: null,
      });
      t -= d + rng.int(MIN, 2 * HOUR);
    }
    specs.reverse();
    story.runs.push(...specs);
    story.start = /** @type {RunSpec} */ (specs[0]).start;
  }
  // Issues waiting for a human before a PR exists.
  for (let i = 0; i < size.followups; i++) {
    const story = newStory(
      'followup',
      /** @type {number} */ (FLOW[rng.pick(['bugfix', 'small_job', 'design_doc'])]),
    );
    const blockedAt = now - rng.int(10 * MIN, 30 * DAY);
    story.start = preRuns(story, KIND.issue_flow, blockedAt, {
      finalStatus: STATUS.blocked,
      followup: false,
    });
    const last = /** @type {RunSpec} */ (story.runs[story.runs.length - 1]);
    last.fc = FC.policy_block;
    last.err = errFor('policy_block');
    story.waitingReason = ERRORS[last.err] ?? null;
  }
  // Live issue runs (some after a failure; a few stale ones left by a crash days ago).
  const staleCount = Math.max(1, Math.round(size.live * 0.025));
  for (let i = 0; i < liveIssue; i++) {
    const story = newStory('live_issue', /** @type {number} */ (singleFlow()));
    const liveStart = i < staleCount ? now - rng.int(2 * DAY, 5 * DAY) : now - rng.int(MIN, 3 * HOUR);
    story.start = preRuns(story, KIND.issue_flow, liveStart + 1, { live: true, followup: false });
    /** @type {RunSpec} */ (story.runs[story.runs.length - 1]).start = liveStart;
  }
  // Live follow-up runs (blocked earlier, the human answered).
  for (let i = 0; i < liveFollowup; i++) {
    const story = newStory('live_followup', /** @type {number} */ (FLOW[rng.pick(['bugfix', 'small_job'])]));
    const liveStart = now - rng.int(MIN, 2 * HOUR);
    story.start = preRuns(story, KIND.issue_flow, liveStart + 1, { live: true, followup: true });
    /** @type {RunSpec} */ (story.runs[story.runs.length - 1]).start = liveStart;
  }
  // Live feedback turns on awaiting PRs: two thirds with an agent, the rest polling.
  const awaitingPrs = prs.filter((p) => p.status === 'awaiting_feedback');
  shuffle(awaitingPrs, rng);
  for (let i = 0; i < liveFb; i++) {
    const pr = /** @type {Pr} */ (awaitingPrs[i]);
    pr.liveTurn = i < Math.round(liveFb * 0.67) ? META.liveActive : META.livePolling;
    pr.tEnd = now - rng.int(MIN, 40 * MIN);
  }
  // Meta variants among live issue-level runs: a few preparing (no agent yet), a few damaged.
  const liveIssueRuns = stories.flatMap((s) => s.runs.filter((r) => Number.isNaN(r.end)));
  const damaged = [META.badStringTrue, META.badTruncated, META.badEmpty];
  const nDamaged = Math.max(3, Math.round(size.live * 0.03));
  const nPreparing = Math.max(2, Math.round(size.live * 0.04));
  for (let i = 0; i < liveIssueRuns.length && i < nDamaged + nPreparing; i++) {
    const r = /** @type {RunSpec} */ (liveIssueRuns[liveIssueRuns.length - 1 - i]);
    r.meta = i < nDamaged ? /** @type {number} */ (damaged[i % damaged.length]) : META.livePreparing;
  }

  // ------------------------------------------------------------------------------------------------
  // Pass 2: issue and PR numbers (one sequence per repository, in time order, as on GitHub).

  /** @type {{ t: number, set: (n: number) => void }[][]} */
  const numbering = repos.map(() => []);
  for (const s of stories) {
    /** @type {{ t: number, set: (n: number) => void }[]} */ (numbering[s.repo]).push({
      t: s.start,
      set: (n) => (s.issue = n),
    });
    for (const p of s.prs) {
      /** @type {{ t: number, set: (n: number) => void }[]} */ (numbering[s.repo]).push({
        t: p.tCreate,
        set: (n) => (p.number = n),
      });
    }
  }
  /** @type {number[]} */
  const nextNumber = repos.map(() => 1);
  numbering.forEach((list, r) => {
    list.sort((a, b) => a.t - b.t);
    for (const item of list) item.set(/** @type {number} */ (nextNumber[r])++);
  });

  // ------------------------------------------------------------------------------------------------
  // Pass 3: feedback events, block/unblock cycles, transient retries, then feedback-turn counts.

  let pendingTotal = 0;
  for (const pr of prs) {
    if (pr.status === 'blocked') pr.pending = rng.int(1, 4);
    else if (pr.status === 'awaiting_feedback' && rng.chance(0.35)) pr.pending = rng.int(1, 2);
    pendingTotal += pr.pending;
  }
  let processed = size.events - pendingTotal;
  if (processed < 0) throw new Error('events budget too small for the pending events');
  while (processed > 0) {
    const pr = /** @type {Pr} */ (rng.pick(prs));
    const batch = Math.min(processed, rng.int(1, 3));
    pr.codexBatches.push(batch);
    processed -= batch;
  }
  const baseTransitions = totalPrs + merged + closed + size.blockedPrs;
  let extras = size.transitions - baseTransitions;
  if (extras < 0) throw new Error('transitions budget too small');
  while (extras > 0) {
    const pr = /** @type {Pr} */ (rng.pick(prs));
    if (extras >= 2 && rng.chance(0.6)) {
      pr.cycles++;
      extras -= 2;
    } else {
      pr.transients++;
      extras -= 1;
    }
  }
  let nonFeedback = 0;
  for (const s of stories) nonFeedback += s.runs.length;
  const liveFbCount = prs.filter((p) => p.liveTurn !== NONE).length;
  let budget = size.runs - nonFeedback - liveFbCount;
  const minTurns = (/** @type {Pr} */ p) =>
    p.codexBatches.length + p.cycles + p.transients + (p.status === 'awaiting_feedback' ? 0 : 1);
  let weightTotal = 0;
  for (const p of prs) {
    p.turns = minTurns(p);
    budget -= p.turns;
    weightTotal += Math.max(HOUR, p.tEnd - p.tCreate);
  }
  if (budget < 0) throw new Error(`runs budget too small by ${-budget}`);
  let given = 0;
  for (const p of prs) {
    const share = Math.floor((budget * Math.max(HOUR, p.tEnd - p.tCreate)) / weightTotal);
    p.turns += share;
    given += share;
  }
  for (let left = budget - given; left > 0; left--) /** @type {Pr} */ (rng.pick(prs)).turns++;

  // ------------------------------------------------------------------------------------------------
  // Pass 4: emit runs into typed arrays, with transitions, events and commands alongside.

  const R = size.runs;
  const rRepo = new Uint8Array(R);
  const rIssue = new Uint32Array(R);
  const rPr = new Uint32Array(R);
  const rKind = new Uint8Array(R);
  const rFlow = new Uint8Array(R);
  const rBranchFlow = new Uint8Array(R);
  const rStory = new Uint32Array(R);
  const rStart = new Float64Array(R);
  const rEnd = new Float64Array(R);
  const rStatus = new Uint8Array(R);
  const rFc = new Uint8Array(R);
  const rErr = new Uint8Array(R);
  const rMeta = new Uint8Array(R);
  const rFmt = new Uint8Array(R);
  let n = 0;
  const storyIndex = new Map(stories.map((s, i) => [s, i]));
  /** @param {Story} s @param {number} kind @param {number} prNumber @param {boolean} impl
   *  @param {number} start @param {number} end @param {number} status @param {number} fc @param {number} err
   *  @param {number} meta */
  const emit = (s, kind, prNumber, impl, start, end, status, fc, err, meta) => {
    if (n >= R) throw new Error('run budget overflow');
    rRepo[n] = s.repo;
    rIssue[n] = s.issue;
    rPr[n] = prNumber;
    rKind[n] = kind;
    rFlow[n] = kind === KIND.feedback_turn ? NONE : impl ? FLOW.implementation : s.flow;
    rBranchFlow[n] = impl ? FLOW.implementation : s.flow;
    rStory[n] = /** @type {number} */ (storyIndex.get(s));
    rStart[n] = start;
    rEnd[n] = end;
    rStatus[n] = status;
    rFc[n] = fc;
    rErr[n] = err;
    rMeta[n] = meta;
    const f = rng.next();
    rFmt[n] = f < 0.9 ? 0 : f < 0.98 ? 1 : 2;
    return n++;
  };
  const branchOf = (/** @type {Story} */ s, /** @type {number} */ flow) =>
    `agent/${FLOW_DIRS[flow]}/${s.issue}-${s.slug}`;

  /** @type {[number, number, number, string | null, string, string | null, string | null, number][]} */
  const transitions = []; // repo, pr, issue, from, to, reason, detail, at
  /** @type {[number, number, number, string, number, number, number][]} */
  const events = []; // repo, pr, issue, kind, updatedAt(ms, whole s), createdAt, processedAt (NaN = pending)
  /** @type {[number, number, number | null, string, string, string, string, string, number][]} */
  const commands = []; // repo, issue, pr, author, command, args, status, result, at
  const EVENT_KINDS = ['review', 'review', 'issue', 'issue', 'review_summary', 'actions'];
  const AUTHORS = ['alice', 'bob', 'carol', 'dave', 'erin'];
  /** @param {Pr} pr @param {number} count @param {number} lo @param {number} hi
   *  @param {number} processedAt NaN: pending */
  const addEvents = (pr, count, lo, hi, processedAt) => {
    for (let k = 0; k < count; k++) {
      const created = clamp(rng.int(Math.floor(lo), Math.floor(hi)), lo, hi);
      const updated = Math.floor((created - rng.int(5_000, 120_000)) / 1000) * 1000;
      events.push([
        pr.story.repo,
        pr.number,
        pr.story.issue,
        rng.pick(EVENT_KINDS),
        updated,
        created,
        processedAt,
      ]);
    }
  };

  let runsIssueLevel = 0;
  for (const s of stories) {
    for (const spec of s.runs) {
      const i = emit(
        s,
        spec.kind,
        0,
        spec.impl,
        spec.start,
        spec.end,
        spec.status,
        spec.fc,
        spec.err,
        spec.meta,
      );
      if (Number.isNaN(spec.end)) s.liveRunIndex = i;
      runsIssueLevel++;
    }
    for (const pr of s.prs) {
      const branchFlow = pr.impl ? FLOW.implementation : s.flow;
      const branch = branchOf(s, branchFlow);
      transitions.push([
        s.repo,
        pr.number,
        s.issue,
        null,
        'awaiting_feedback',
        'issue_run_completed',
        null,
        pr.tCreate,
      ]);
      // Turn layout: specials at random positions, the last turn closes / blocks the PR.
      const nTurns = pr.turns;
      const last = pr.status === 'awaiting_feedback' ? -1 : nTurns - 1;
      /** @type {Int8Array} */
      const role = new Int8Array(nTurns); // 0 polling, 1 codex, 2 cycle, 3 transient, 4 final
      if (last >= 0) role[last] = 4;
      const free = [];
      for (let k = 0; k < nTurns; k++) if (k !== last) free.push(k);
      shuffle(free, rng);
      let f = 0;
      for (let k = 0; k < pr.codexBatches.length; k++) role[/** @type {number} */ (free[f++])] = 1;
      for (let k = 0; k < pr.cycles; k++) role[/** @type {number} */ (free[f++])] = 2;
      for (let k = 0; k < pr.transients; k++) role[/** @type {number} */ (free[f++])] = 3;
      const starts = new Float64Array(nTurns);
      const lo = pr.tCreate + 30_000;
      const hi = Math.max(lo + nTurns * 2000, pr.tEnd - 5_000);
      for (let k = 0; k < nTurns; k++) starts[k] = lo + rng.next() * (hi - lo);
      starts.sort();
      let batch = 0;
      let lastFinish = pr.tCreate;
      for (let k = 0; k < nTurns; k++) {
        const start = /** @type {number} */ (starts[k]);
        const next = k + 1 < nTurns ? /** @type {number} */ (starts[k + 1]) : pr.tEnd;
        const r = role[k];
        const want =
          r === 0 || r === 4 ? rng.int(2_000, 40_000) : clamp(lognormal(5 * MIN, 0.5), MIN, 15 * MIN);
        const end = start + Math.max(200, Math.min(want, next - start - 500));
        let status = STATUS.completed;
        let fc = NONE;
        let err = NONE;
        let meta = r === 0 || r === 4 ? META.finishedPolling : META.finishedCodex;
        if (r === 1) {
          const size_ = /** @type {number} */ (pr.codexBatches[batch++]);
          addEvents(pr, size_, Math.max(lastFinish, start - 20 * MIN), start - 1000, end);
          pr.headSha = rng.hex(40);
        } else if (r === 2) {
          const c = rng.chance(0.4) ? 'history_rewrite' : 'agent_error';
          status = STATUS.failed;
          fc = FC[c];
          err = errFor(c);
          meta = META.finishedCodex;
          const text = /** @type {string} */ (ERRORS[err]).replace('{branch}', branch);
          const flake = rng.chance(0.2);
          transitions.push([
            s.repo,
            pr.number,
            s.issue,
            'awaiting_feedback',
            'blocked',
            flake ? 'flake_second_failure' : null,
            flake ? 'CI failed twice: flaky test test_pagination' : text,
            end,
          ]);
          const unblockAt = end + (next - end) / 2;
          commands.push([
            s.repo,
            s.issue,
            pr.number,
            rng.pick(AUTHORS),
            'unblock',
            pyJson({ pr: pr.number }),
            'applied',
            `Unblocked PR #${pr.number}`,
            unblockAt - 1000,
          ]);
          transitions.push([
            s.repo,
            pr.number,
            s.issue,
            'blocked',
            'awaiting_feedback',
            'manual_unblock',
            null,
            unblockAt,
          ]);
        } else if (r === 3) {
          status = STATUS.failed;
          fc = FC.github_error;
          err = errFor('github_error');
          meta = META.finishedCodex;
          transitions.push([
            s.repo,
            pr.number,
            s.issue,
            'awaiting_feedback',
            'awaiting_feedback',
            'feedback_transient_retry',
            ERRORS[err] ?? null,
            end,
          ]);
        } else if (r === 4) {
          if (pr.status === 'blocked') {
            const c = rng.chance(0.3) ? 'history_rewrite' : 'agent_error';
            status = STATUS.failed;
            fc = FC[c];
            err = errFor(c);
            meta = META.finishedCodex;
            pr.blockError = /** @type {string} */ (ERRORS[err]).replace('{branch}', branch);
            transitions.push([
              s.repo,
              pr.number,
              s.issue,
              'awaiting_feedback',
              'blocked',
              null,
              pr.blockError,
              end,
            ]);
          } else {
            status = STATUS[pr.status];
            transitions.push([s.repo, pr.number, s.issue, 'awaiting_feedback', pr.status, null, null, end]);
          }
        }
        emit(s, KIND.feedback_turn, pr.number, pr.impl, start, end, status, fc, err, meta);
        lastFinish = end;
      }
      pr.updatedAt = Math.max(lastFinish, pr.tCreate);
      if (pr.pending > 0) addEvents(pr, pr.pending, lastFinish + 1000, now - 30_000, NaN);
      if (pr.liveTurn !== NONE) {
        const start = Math.max(lastFinish + 1000, now - rng.int(MIN, 30 * MIN));
        pr.activeRunIndex = emit(
          s,
          KIND.feedback_turn,
          pr.number,
          pr.impl,
          start,
          NaN,
          NONE,
          NONE,
          NONE,
          pr.liveTurn,
        );
        pr.updatedAt = start;
      }
    }
  }
  if (n !== R) throw new Error(`emitted ${n} runs, expected ${R}`);
  log(`planned ${stories.length} issues, ${prs.length} PRs, ${n} runs in ${secs(t0)} s`);

  // ------------------------------------------------------------------------------------------------
  // Pass 5: write the database.

  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${o.size}.db`);
  const tmp = `${file}.tmp`;
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`, `${tmp}-journal`]) fs.rmSync(f, { force: true });
  const db = new Database(tmp);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -524288');
  db.pragma('temp_store = MEMORY');
  db.exec(schemaSql('current'));

  const fmtOf = /** @type {const} */ (['ms', 'us', 's']);
  const ts = (/** @type {number} */ ms) => formatTs(ms, 'ms');
  const gh = (/** @type {number} */ ms) => formatTs(ms, 's');

  // agent_run_history, in started_at order (rowid order follows time, as in production).
  const order = new Uint32Array(R);
  for (let i = 0; i < R; i++) order[i] = i;
  order.sort((a, b) => /** @type {number} */ (rStart[a]) - /** @type {number} */ (rStart[b]));
  const insertRun = db.prepare(
    `INSERT INTO agent_run_history(run_id, repo_full_name, run_kind, issue_number, pr_number, flow, branch,
       started_at, finished_at, terminal_status, failure_class, error, duration_seconds, meta_json)
     VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
       CASE WHEN ? IS NULL THEN NULL ELSE MAX(0.0, (julianday(?) - julianday(?)) * 86400.0) END, ?)`,
  );
  const promptRng = createRng(seed ^ 0x5bd1e995);
  /** @type {Record<string, number>} */
  const fmtCounts = { ms: 0, us: 0, s: 0 };
  const counts = {
    liveRuns: 0,
    liveCodexActive: 0,
    liveDamagedMeta: 0,
    liveStale: 0,
    byKind: /** @type {Record<string, number>} */ ({}),
    byStatus: /** @type {Record<string, number>} */ ({}),
  };
  const insertRuns = db.transaction((/** @type {number} */ from, /** @type {number} */ to) => {
    for (let k = from; k < to; k++) {
      const i = /** @type {number} */ (order[k]);
      const s = /** @type {Story} */ (stories[/** @type {number} */ (rStory[i])]);
      const fmt = fmtOf[/** @type {number} */ (rFmt[i])] ?? 'ms';
      fmtCounts[fmt] = (fmtCounts[fmt] ?? 0) + 1;
      const start = /** @type {number} */ (rStart[i]);
      const endMs = /** @type {number} */ (rEnd[i]);
      const live = Number.isNaN(endMs);
      const startedAt = formatTs(start, fmt);
      const finishedAt = live ? null : formatTs(endMs, fmt);
      const kind = /** @type {string} */ (RUN_KINDS[/** @type {number} */ (rKind[i])]);
      const flowCode = /** @type {number} */ (rFlow[i]);
      const flow = flowCode === NONE ? null : /** @type {string} */ (FLOWS[flowCode]);
      const branch = branchOf(s, /** @type {number} */ (rBranchFlow[i]));
      const status =
        rStatus[i] === NONE
          ? null
          : /** @type {string} */ (TERMINAL_STATUSES[/** @type {number} */ (rStatus[i])]);
      const fc =
        rFc[i] === NONE ? null : /** @type {string} */ (FAILURE_CLASSES[/** @type {number} */ (rFc[i])]);
      const err =
        rErr[i] === NONE
          ? null
          : /** @type {string} */ (ERRORS[/** @type {number} */ (rErr[i])]).replace('{branch}', branch);
      const runId = runIdFor(seed, i);
      const prNumber = rPr[i] || null;
      const meta = metaJson(
        /** @type {number} */ (rMeta[i]),
        runId,
        kind,
        flow,
        rIssue[i] ?? 0,
        prNumber,
        start,
        endMs,
        promptRng,
        branch,
      );
      insertRun.run(
        runId,
        repos[/** @type {number} */ (rRepo[i])],
        kind,
        rIssue[i],
        prNumber,
        flow,
        branch,
        startedAt,
        finishedAt,
        status,
        fc,
        err,
        finishedAt,
        finishedAt,
        startedAt,
        meta,
      );
      counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
      const st = status ?? 'live';
      counts.byStatus[st] = (counts.byStatus[st] ?? 0) + 1;
      if (live) {
        counts.liveRuns++;
        if (rMeta[i] === META.liveActive) counts.liveCodexActive++;
        if (rMeta[i] !== undefined && rMeta[i] >= META.badStringTrue) counts.liveDamagedMeta++;
        if (now - start > DAY) counts.liveStale++;
      }
    }
  });
  const CHUNK = 100_000;
  for (let k = 0; k < R; k += CHUNK) insertRuns(k, Math.min(R, k + CHUNK));
  log(`agent_run_history: ${R} rows at ${secs(t0)} s`);

  // pr_status_history in time order (ids follow time).
  transitions.sort((a, b) => a[7] - b[7]);
  const insertTransition = db.prepare(
    `INSERT INTO pr_status_history(repo_full_name, pr_number, issue_number, from_status, to_status,
      reason, detail,
       changed_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const [repo, pr, issue, from, to, reason, detail, at] of transitions) {
      insertTransition.run(repos[repo], pr, issue, from, to, reason, detail, ts(at));
    }
  })();

  // feedback_events: comment ids increase with GitHub time, as GitHub's do.
  events.sort((a, b) => a[4] - b[4] || a[5] - b[5]);
  const insertEvent = db.prepare(
    `INSERT OR IGNORE INTO feedback_events(repo_full_name, event_key, pr_number, issue_number, kind,
      comment_id,
       updated_at, processed_at, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let pendingWritten = 0;
  /** @type {Map<string, { updated: number, comment: number }>} */
  const lastEventOfPr = new Map();
  db.transaction(() => {
    events.forEach(([repo, pr, issue, kind, updated, created, processedAt], idx) => {
      const comment = 1_000_000 + idx * 7;
      const updatedText = gh(updated);
      insertEvent.run(
        repos[repo],
        `${pr}:${kind}:${comment}:${updatedText}`,
        pr,
        issue,
        kind,
        comment,
        updatedText,
        Number.isNaN(processedAt) ? null : ts(processedAt),
        ts(created),
      );
      if (Number.isNaN(processedAt)) pendingWritten++;
      lastEventOfPr.set(`${repo}#${pr}`, { updated, comment });
    });
  })();

  // pr_feedback_state, issue_runs, follow-ups, takeovers, sessions, tokens, cursors.
  const insertPr = db.prepare(
    `INSERT INTO pr_feedback_state(repo_full_name, pr_number, issue_number, branch, status,
      last_seen_head_sha,
       active_run_id, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertIssue = db.prepare(
    `INSERT INTO issue_runs(repo_full_name, issue_number, status, branch, pr_number, pr_url, error,
      github_state,
       last_failure_class, retry_count, next_retry_at, active_run_id, updated_at)
     VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertFollowup = db.prepare(
    `INSERT INTO pre_pr_followup_state(repo_full_name, issue_number, flow, branch, context_json,
      waiting_reason,
       last_checkpoint_sha, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertTakeover = db.prepare(
    `INSERT INTO issue_takeover_state(repo_full_name, issue_number, ignore_active, updated_at)
     VALUES(?, ?, ?, ?)`,
  );
  const insertSession = db.prepare(
    `INSERT OR REPLACE INTO agent_sessions(repo_full_name, issue_number, adapter, thread_id, updated_at)
     VALUES(?, ?, ?, ?, ?)`,
  );
  const insertToken = db.prepare(
    `INSERT INTO action_tokens(repo_full_name, token, scope_kind, scope_number, source, status, attempt_count,
       observed_comment_id, observed_updated_at, created_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, 0, ?,
         ?, ?, ?)`,
  );
  const insertCursor = db.prepare(
    `INSERT INTO github_comment_poll_cursors(repo_full_name, surface, scope_number, last_updated_at,
       last_comment_id, bootstrap_complete, updated_at) VALUES(?, ?, ?, ?, ?, 1, ?)`,
  );
  const issueCounts = { awaitingFollowup: 0, takenOver: 0, githubClosed: 0, running: 0 };
  /** @type {Record<string, number>} */
  const issueStatusCounts = {};
  /** @type {Record<string, number>} */
  const prStatusCounts = {};
  db.transaction(() => {
    const takeoverCandidates = [];
    for (const s of stories) {
      const repo = /** @type {string} */ (repos[s.repo]);
      for (const pr of s.prs) {
        const branch = branchOf(s, pr.impl ? FLOW.implementation : s.flow);
        const active = pr.activeRunIndex >= 0 ? runIdFor(seed, pr.activeRunIndex) : null;
        insertPr.run(repo, pr.number, s.issue, branch, pr.status, pr.headSha, active, ts(pr.updatedAt));
        prStatusCounts[pr.status] = (prStatusCounts[pr.status] ?? 0) + 1;
        if (pr.headSha) insertSession.run(repo, s.issue, 'codex', `thread-fb-${pr.number}`, ts(pr.updatedAt));
        if (pr.status === 'awaiting_feedback' || pr.status === 'blocked') {
          const last = lastEventOfPr.get(`${s.repo}#${pr.number}`);
          if (last) {
            insertCursor.run(
              repo,
              'pr_review_comments',
              pr.number,
              gh(last.updated),
              last.comment,
              ts(Math.min(now - 1000, last.updated + 60_000)),
            );
          } else if (rng.chance(0.3)) {
            insertCursor.run(
              repo,
              'pr_issue_comments',
              pr.number,
              gh(pr.tCreate),
              0,
              ts(pr.tCreate + 60_000),
            );
          }
          if (rng.chance(0.2)) {
            const seen = pr.updatedAt - rng.int(10_000, HOUR);
            insertToken.run(
              repo,
              `tok-${pr.number}-${rng.hex(6)}`,
              'pr',
              pr.number,
              'feedback_reply',
              'observed',
              pr.number * 10 + 1,
              gh(seen),
              ts(seen + 5000),
              ts(seen + 5000),
            );
          } else if (rng.chance(0.1)) {
            insertToken.run(
              repo,
              `tok-${pr.number}-${rng.hex(6)}`,
              'pr',
              pr.number,
              'feedback_reply',
              'planned',
              null,
              null,
              ts(pr.updatedAt),
              ts(pr.updatedAt),
            );
          }
        }
      }
      // The issue's current state follows its last step.
      const lastPr = s.prs[s.prs.length - 1];
      const lastRun = s.runs[s.runs.length - 1];
      let status;
      let error = null;
      let branch = lastRun ? branchOf(s, lastRun.impl ? FLOW.implementation : s.flow) : branchOf(s, s.flow);
      let prNumber = null;
      let prUrl = null;
      let failureClass = null;
      let retry = 0;
      let nextRetry = null;
      let activeRun = null;
      let updated = s.start;
      if (lastPr) {
        prNumber = lastPr.number;
        prUrl = `https://github.com/${repo}/pull/${lastPr.number}`;
      }
      if (s.liveRunIndex >= 0) {
        status = 'running';
        activeRun = runIdFor(seed, s.liveRunIndex);
        updated = /** @type {number} */ (rStart[s.liveRunIndex]);
        issueCounts.running++;
      } else if (s.kind === 'followup') {
        status = 'awaiting_issue_followup';
        error = s.waitingReason;
        prNumber = null;
        prUrl = null;
        updated = /** @type {RunSpec} */ (lastRun).end;
      } else if (s.kind === 'failed') {
        const r = /** @type {RunSpec} */ (lastRun);
        status = 'failed';
        error = /** @type {string} */ (ERRORS[r.err]).replace('{branch}', branch);
        failureClass = FAILURE_CLASSES[r.fc] ?? null;
        retry = s.runs.length - 1 + (r.fc === FC.github_error ? 1 : 0);
        if (r.fc === FC.github_error) nextRetry = ts(r.end + 30_000);
        updated = r.end;
      } else if (lastPr) {
        status = lastPr.status;
        branch = branchOf(s, lastPr.impl ? FLOW.implementation : s.flow);
        error = lastPr.status === 'blocked' ? lastPr.blockError : null;
        updated = lastPr.updatedAt;
      } else {
        status = 'failed';
      }
      // GitHub state, stored as MergeXO saw it (any case).
      let github = null;
      const g = rng.next();
      if (status === 'merged' && s.flow !== FLOW.design_doc) github = g < 0.7 ? 'closed' : null;
      else if (status === 'closed') github = g < 0.5 ? 'closed' : g < 0.6 ? 'CLOSED' : null;
      else if (
        status === 'awaiting_feedback' ||
        status === 'blocked' ||
        status === 'awaiting_issue_followup'
      ) {
        github = g < 0.2 ? 'open' : g < 0.25 ? 'OPEN' : g < 0.27 ? 'closed' : g < 0.28 ? 'Closed' : null;
      }
      if (github && github.toLowerCase() === 'closed') issueCounts.githubClosed++;
      insertIssue.run(
        repo,
        s.issue,
        status,
        branch,
        prNumber,
        prUrl,
        error,
        github,
        failureClass,
        retry,
        nextRetry,
        activeRun,
        ts(updated),
      );
      issueStatusCounts[status] = (issueStatusCounts[status] ?? 0) + 1;
      if (s.kind === 'followup' || s.kind === 'live_followup') {
        const blockedRun = [...s.runs].reverse().find((r) => r.status === STATUS.blocked);
        const at = blockedRun ? blockedRun.end : s.start;
        insertFollowup.run(
          repo,
          s.issue,
          FLOWS[s.flow],
          branch,
          '{"source":"issue_body"}',
          s.waitingReason ?? 'Need more detail',
          null,
          ts(at),
        );
        if (s.kind === 'followup') {
          issueCounts.awaitingFollowup++;
          insertCursor.run(
            repo,
            'issue_pre_pr_followups',
            s.issue,
            gh(at - 60_000),
            2_000_000 + s.issue,
            ts(at),
          );
        }
      }
      if (status === 'awaiting_feedback' || status === 'blocked' || status === 'awaiting_issue_followup') {
        takeoverCandidates.push([repo, s.issue, updated]);
      }
    }
    shuffle(takeoverCandidates, rng);
    for (const [repo, issue, updated] of takeoverCandidates.slice(0, size.takeovers)) {
      const ignore = rng.chance(0.8) ? 1 : 0;
      issueCounts.takenOver += ignore;
      insertTakeover.run(repo, issue, ignore, ts(Number(updated) + rng.int(MIN, DAY)));
    }
  })();

  // Operator commands (unblocks from the cycles, plus help / invalid / restart) and the restart op.
  const insertCommand = db.prepare(
    `INSERT OR IGNORE INTO operator_commands(repo_full_name, command_key, issue_number, pr_number, comment_id,
       author_login, command, args_json, status, result, created_at, updated_at)
     VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const extraCommands = Math.max(5, Math.round(size.followups * 0.5));
  const someStories = stories.filter((s) => s.prs.length > 0);
  for (let k = 0; k < extraCommands; k++) {
    const s = /** @type {Story} */ (rng.pick(someStories));
    const pr = /** @type {Pr} */ (s.prs[0]);
    const at = rng.int(Math.floor(pr.tCreate), Math.floor(Math.max(pr.tCreate + 1000, pr.updatedAt)));
    const c = rng.weighted({ help: 4, invalid: 3, restart: 1 });
    commands.push([
      s.repo,
      s.issue,
      c === 'restart' ? null : pr.number,
      rng.pick(AUTHORS),
      c,
      c === 'restart' ? pyJson({ mode: 'git_checkout' }) : '{}',
      c === 'invalid' ? 'rejected' : 'applied',
      c === 'help'
        ? 'Posted command help'
        : c === 'invalid'
          ? 'Unknown command: /mergexo frobnicate'
          : 'Restart requested',
      at,
    ]);
  }
  commands.sort((a, b) => a[8] - b[8]);
  /** @type {{ key: string, repo: string, author: string, at: number } | null} */
  let lastRestart = null;
  db.transaction(() => {
    commands.forEach(([repo, issue, pr, author, command, args, status, result, at], idx) => {
      const comment = 5_000_000 + idx;
      const key = `${pr ?? issue}:${comment}:${gh(at)}`;
      insertCommand.run(
        repos[repo],
        key,
        issue,
        pr,
        comment,
        author,
        command,
        args,
        status,
        result,
        ts(at),
        ts(at),
      );
      if (command === 'restart') lastRestart = { key, repo: /** @type {string} */ (repos[repo]), author, at };
    });
    const restart = /** @type {{ key: string, repo: string, author: string, at: number } | null} */ (
      lastRestart
    );
    if (restart) {
      db.prepare(
        `INSERT INTO runtime_operations(op_name, status, requested_by, request_command_key,
          request_repo_full_name,
           mode, detail, created_at, updated_at) VALUES('restart', 'completed', ?, ?, ?, 'git_checkout',
           'Restarted after git checkout', ?, ?)`,
      ).run(restart.author, restart.key, restart.repo, ts(restart.at + 1000), ts(restart.at + 120_000));
    }
  })();

  // Roadmaps: from roadmap-flow stories first, then standalone numbers.
  const roadmapCounts = writeRoadmaps(db, { size, stories, repos, rng, now, begin, nextNumber, ts });

  const tLoad = secs(t0);
  db.pragma('journal_mode = WAL');
  db.close();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  fs.renameSync(tmp, file);

  // Count rows from the file itself. A read-write connection (it writes nothing) so that closing it
  // removes -wal / -shm; a read-only one leaves them behind.
  const check = new Database(file);
  const q = (/** @type {string} */ sql) => /** @type {{ n: number }} */ (check.prepare(sql).get()).n;
  const tables = /** @type {{ name: string }[]} */ (
    check
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence' ORDER BY name",
      )
      .all()
  );
  /** @type {Record<string, number>} */
  const tableCounts = {};
  for (const { name } of tables) tableCounts[name] = q(`SELECT count(*) AS n FROM ${name}`);
  const journal = check.pragma('journal_mode', { simple: true });
  check.close();

  const manifest = {
    name: o.size,
    file: path.relative(path.join(HERE, '..'), file),
    generator: `bench/generate.mjs v${GENERATOR_VERSION}`,
    seed,
    now: nowText,
    days: size.days,
    windowStart: ts(begin),
    repos,
    journalMode: journal,
    sizes: size,
    tables: tableCounts,
    runs: {
      byKind: counts.byKind,
      byStatus: counts.byStatus,
      issueLevel: runsIssueLevel,
      live: counts.liveRuns,
      liveCodexActive: counts.liveCodexActive,
      liveDamagedMeta: counts.liveDamagedMeta,
      liveStale: counts.liveStale,
      timestampFormats: fmtCounts,
    },
    prs: { byStatus: prStatusCounts, tracked: size.openPrs, transitions: transitions.length },
    feedbackEvents: { total: events.length, pending: pendingWritten },
    issues: { byStatus: issueStatusCounts, ...issueCounts },
    roadmaps: roadmapCounts,
    fileBytes: fs.statSync(file).size,
    loadSeconds: tLoad,
    totalSeconds: secs(t0),
  };
  fs.writeFileSync(path.join(outDir, `${o.size}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
  log(`wrote ${file} (${(manifest.fileBytes / 2 ** 20).toFixed(0)} MiB) in ${manifest.totalSeconds} s`);
  return manifest;
}

/**
 * meta_json text for a run, byte-compatible with what MergeXO's Python writes (sorted keys, ", " / ": ").
 * @param {number} shape @param {string} runId @param {string} kind @param {string | null} flow
 * @param {number} issue @param {number | null} pr @param {number} start @param {number} end
 * @param {ReturnType<typeof createRng>} rng @param {string} branch
 */
function metaJson(shape, runId, kind, flow, issue, pr, start, end, rng, branch) {
  if (shape === META.badTruncated)
    return `{"codex_active": true, "codex_mode": "${flow ?? 'bugfix'}", "last_pro`;
  if (shape === META.badEmpty) return '{}';
  const mode = kind === 'feedback_turn' ? 'respond_to_review' : flow;
  const session =
    kind === 'feedback_turn' ? `thread-fb-${runId.slice(0, 10)}` : `thread-${runId.slice(0, 12)}`;
  if (shape === META.finishedPolling || shape === META.livePolling || shape === META.livePreparing) {
    const progress =
      shape === META.livePreparing
        ? 'null'
        : `"${formatTs(Number.isNaN(end) ? start + 2000 : end - 500, 'us')}"`;
    const phase =
      shape === META.finishedPolling ? 'postprocess' : shape === META.livePolling ? 'polling' : 'preparing';
    return (
      '{"codex_active": false, "codex_idle_timeout_seconds": null, "codex_invocation_started_at": null, ' +
      '"codex_kill_requested_at": null, "codex_launch_metadata_path": null, "codex_launch_token": null, ' +
      '"codex_mode": null, "codex_pgid": null, "codex_pid": null, "codex_session_id": null, ' +
      `"codex_timeout_at": null, "codex_timeout_seconds": null, "last_progress_at": ${progress}, ` +
      `"last_prompt": null, "run_phase": "${phase}"}`
    );
  }
  const prompt = promptText(kind, flow, issue, pr, branch, rng, shape !== META.finishedCodex);
  const progressAt = (/** @type {number} */ ms) => `"last_progress_at": "${formatTs(ms, 'us')}", `;
  if (shape === META.finishedCodex) {
    return (
      '{"codex_active": false, "codex_idle_timeout_seconds": null, "codex_invocation_started_at": null, ' +
      '"codex_kill_requested_at": null, "codex_launch_metadata_path": null, "codex_launch_token": null, ' +
      `"codex_mode": ${pyJson(mode)}, "codex_pgid": null, "codex_pid": null, ` +
      `"codex_session_id": "${session}", "codex_timeout_at": null, "codex_timeout_seconds": null, ` +
      progressAt(end - 2000) +
      `"last_prompt": ${pyJson(prompt)}, "run_phase": "postprocess"}`
    );
  }
  // Live with an agent process; damaged variants keep the shape but break codex_active.
  const pid = 40000 + (parseInt(runId.slice(0, 5), 16) % 50000);
  const inv = start + 3000;
  const active = shape === META.badStringTrue ? '"true"' : 'true';
  return (
    `{"codex_active": ${active}, "codex_idle_timeout_seconds": 900, ` +
    `"codex_invocation_started_at": "${formatTs(inv, 'us')}", "codex_kill_requested_at": null, ` +
    `"codex_launch_metadata_path": null, "codex_launch_token": "launch-${pid}", ` +
    `"codex_mode": ${pyJson(mode)}, "codex_pgid": ${pid}, "codex_pid": ${pid}, ` +
    `"codex_session_id": "${session}", "codex_timeout_at": "${formatTs(inv + 3_600_000, 'us')}", ` +
    '"codex_timeout_seconds": 3600, ' +
    progressAt(inv + 1000 * ((pid % 600) + 1)) +
    `"last_prompt": ${pyJson(prompt)}, "run_phase": "codex_running"}`
  );
}

/**
 * A prompt like MergeXO builds from issue and comment text; long and multi-line for live runs.
 * @param {string} kind @param {string | null} flow @param {number} issue @param {number | null} pr
 * @param {string} branch @param {ReturnType<typeof createRng>} rng @param {boolean} long
 */
function promptText(kind, flow, issue, pr, branch, rng, long) {
  const head =
    kind === 'feedback_turn'
      ? `Address review feedback on PR #${pr}.`
      : `Work on issue #${issue} using the ${flow} flow.`;
  if (!long && rng.next() < 0.7) return head;
  const topic = branch.split('/').pop()?.replace(/^\d+-/, '').replaceAll('-', ' ') ?? '';
  const paragraphs = long ? rng.int(3, 12) : 1;
  let text = `${head}\n\nIssue: ${topic}\n`;
  for (let p = 0; p < paragraphs; p++) {
    text +=
      `\n## Comment ${p + 1}\n` +
      `The ${rng.pick(WORDS)} path fails when ${rng.pick(WORDS)} is enabled — see the log below.\n` +
      `- expected: ${rng.pick(WORDS)} → ${rng.pick(WORDS)}\n- got: ${rng.pick(WORDS)} (naïve retry)\n` +
      '```\nTraceback (most recent call last):\n  File "app.py", line 42, in handler\n```\n';
  }
  return `${text}\nFollow docs/python_style.md.`;
}

/**
 * @param {import('better-sqlite3').Database} db
 * @param {{ size: Size, stories: Story[], repos: string[], rng: ReturnType<typeof createRng>, now: number,
 *   begin: number, nextNumber: number[], ts: (ms: number) => string }} c
 */
function writeRoadmaps(db, c) {
  const { rng, now, ts } = c;
  const insertState = db.prepare(
    `INSERT INTO roadmap_state(repo_full_name, roadmap_issue_number, roadmap_pr_number,
      roadmap_doc_path, graph_path,
       graph_checksum, graph_version, status, adjustment_state, adjustment_request_version,
       superseding_roadmap_issue_number, revision_requested_at, last_error, updated_at)
     VALUES(?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertRevision = db.prepare(
    `INSERT INTO roadmap_revisions(repo_full_name, roadmap_issue_number, version, roadmap_pr_number,
       roadmap_doc_path, graph_path, graph_checksum, applied_at) VALUES(?, ?, 1, ?, ?, ?, ?, ?)`,
  );
  const insertNode = db.prepare(
    `INSERT INTO roadmap_nodes(repo_full_name, roadmap_issue_number, node_id, kind, title, body_markdown,
       dependencies_json, is_active, child_issue_number, child_issue_url, status, planned_at, implemented_at,
       status_changed_at, blocked_since_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?,
         ?, ?, ?)`,
  );
  /** @type {Record<string, number>} */
  const counts = {
    active: 0,
    awaitingRevisionMerge: 0,
    superseded: 0,
    abandoned: 0,
    completed: 0,
    blockedNodes: 0,
    blockedNodesOfActive: 0,
  };
  const fromStories = c.stories.filter((s) => s.flow === FLOW.roadmap && s.prs[0]?.status === 'merged');
  db.transaction(() => {
    for (let i = 0; i < c.size.roadmaps; i++) {
      const s = fromStories[i];
      const repoIdx = s ? s.repo : i % c.repos.length;
      const repo = /** @type {string} */ (c.repos[repoIdx]);
      const issue = s ? s.issue : /** @type {number} */ (c.nextNumber[repoIdx]++);
      const prNumber = s ? /** @type {Pr} */ (s.prs[0]).number : null;
      const created = s
        ? /** @type {Pr} */ (s.prs[0]).tEnd
        : rng.int(Math.floor(c.begin), Math.floor(now - DAY));
      const status = rng.weighted({ active: 50, completed: 25, superseded: 10, abandoned: 10 });
      const awaiting = status === 'active' && rng.chance(0.15);
      const updated = rng.int(Math.floor(created), Math.floor(now - MIN));
      const checksum = rng.hex(64);
      const doc = `docs/roadmap/${issue}.md`;
      const graph = `docs/roadmap/${issue}.graph.json`;
      insertState.run(
        repo,
        issue,
        prNumber,
        doc,
        graph,
        checksum,
        status,
        awaiting ? 'awaiting_revision_merge' : 'idle',
        awaiting ? 1 : null,
        status === 'superseded' ? /** @type {number} */ (c.nextNumber[repoIdx]++) : null,
        awaiting ? ts(updated) : null,
        status === 'abandoned' ? 'abandon label set' : awaiting ? 'node n1 needs re-scoping' : null,
        ts(updated),
      );
      insertRevision.run(repo, issue, prNumber, doc, graph, checksum, ts(created));
      if (awaiting) counts.awaitingRevisionMerge = (counts.awaitingRevisionMerge ?? 0) + 1;
      else counts[status] = (counts[status] ?? 0) + 1;
      const nodes = rng.int(2, 8);
      for (let k = 1; k <= nodes; k++) {
        const ns =
          status === 'completed'
            ? 'completed'
            : status === 'abandoned' || status === 'superseded'
              ? rng.weighted({ abandoned: 3, completed: 1, blocked: 0.5 })
              : rng.weighted({ completed: 3, issued: 2, pending: 3, blocked: 1 });
        const changed = rng.int(Math.floor(created), Math.floor(updated));
        const child = ns === 'pending' ? null : /** @type {number} */ (c.nextNumber[repoIdx]++);
        const title = `${rng.pick(WORDS)} ${rng.pick(WORDS)} step ${k}`;
        insertNode.run(
          repo,
          issue,
          `n${k}`,
          rng.pick(['small_job', 'design_doc', 'bugfix']),
          title,
          `Body of ${title}`,
          k > 1 ? `[{"node_id":"n${k - 1}","requires":"planned"}]` : '[]',
          child,
          child ? `https://github.com/${repo}/issues/${child}` : null,
          ns,
          child ? ts(changed - HOUR) : null,
          ns === 'completed' ? ts(changed) : null,
          ts(changed),
          ns === 'blocked' ? ts(changed) : null,
          ts(changed),
        );
        if (ns === 'blocked') {
          counts.blockedNodes = (counts.blockedNodes ?? 0) + 1;
          if (status === 'active') counts.blockedNodesOfActive = (counts.blockedNodesOfActive ?? 0) + 1;
        }
      }
    }
  })();
  return counts;
}

/** @template T @param {T[]} items @param {ReturnType<typeof createRng>} rng */
function shuffle(items, rng) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = /** @type {T} */ (items[i]);
    items[i] = /** @type {T} */ (items[j]);
    items[j] = t;
  }
  return items;
}

/** @param {number} since */
function secs(since) {
  return Math.round((performance.now() - since) / 100) / 10;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: 'large' },
      seed: { type: 'string' },
      out: { type: 'string' },
      now: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'Usage: node bench/generate.mjs [--size large|small|small,large] [--seed N] [--out DIR] [--now ISO]\n' +
        'Writes DIR/<size>.db (MergeXO schema, WAL) and DIR/<size>.json (manifest).\n' +
        'Default DIR: bench/data.\n',
    );
  } else {
    for (const size of values.size.split(',')) {
      generate({
        size: size.trim(),
        ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
        ...(values.out !== undefined ? { out: path.resolve(values.out) } : {}),
        ...(values.now !== undefined ? { now: values.now } : {}),
        log: (line) => process.stdout.write(`${line}\n`),
      });
    }
  }
}
