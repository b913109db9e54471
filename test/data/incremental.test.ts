// The incremental run aggregates never miss or double-count a row. A writer imitating MergeXO starts
// and finishes runs (timestamps in all three formats, finished slightly out of order, rows that appear
// with an old finished_at, rows exactly at a window's cutoff), applies retention, closes live runs at
// a restart, deletes the newest row, and replaces the file; after every refresh the incremental
// figures must equal a from-scratch computation (the straightforward queries on a fresh connection).
import { renameSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StraightforwardQueries } from '../../bench/straightforward';
import { ChangeDetector } from '../../src/data/changes';
import { MergexoDatabase } from '../../src/data/database';
import { bucketOf, bucketRange } from '../../src/data/incremental';
import type { DriverName } from '../../src/data/sqlite';
import { windowCutoffText } from '../../src/data/timestamps';
import { WINDOWS, type QueryScope } from '../../src/data/types';
import {
  createMergexoDb,
  createRng,
  formatTs,
  MergexoWriter,
  PINNED_NOW,
  type Rng,
  type TsFormat,
} from '../../tools/mergexo-writer.mjs';
import { assertClose } from '../support/fixtures';

const DRIVERS: DriverName[] = ['better-sqlite3', 'node:sqlite'];
const REPOS = ['acme/widgets', 'acme/gadgets', 'octo/docs', 'zeta/api'];
const KINDS = ['issue_flow', 'implementation_flow', 'pre_pr_followup', 'feedback_turn'];
const STATUSES = ['completed', 'failed', 'blocked', 'interrupted', 'merged', 'closed'];
const FORMATS: TsFormat[] = ['ms', 'us', 's'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mergexo-incremental-'));
  path = join(dir, 'state.db');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Everything the incremental state answers, compared with the straightforward queries. */
function expectSameAsFromScratch(db: MergexoDatabase, driver: DriverName, nowMs: number, label: string) {
  const reference = MergexoDatabase.open(path, { driver, incremental: false });
  try {
    const straightforward = new StraightforwardQueries(reference.connection, reference.schema);
    for (const repo of [null, REPOS[0]!, REPOS[3]!]) {
      const scope: QueryScope = { repo, nowMs };
      for (const window of WINDOWS) {
        const where = `${label} ${repo ?? 'all'} ${window}`;
        const expected = straightforward.metrics(scope, window);
        const actual = db.queries.metrics(scope, window);
        expect(actual.ok && expected.ok, where).toBe(true);
        if (actual.ok && expected.ok) assertClose(actual.value, expected.value, `metrics ${where}`);
        const failures = straightforward.failures(scope, window);
        expect(db.queries.failures(scope, window), `failures ${where}`).toEqual(failures);
      }
      const snapshot = db.readDashboard(scope, '24h');
      const overview = straightforward.overview(scope, '24h');
      expect(snapshot.overview.ok && overview.ok).toBe(true);
      if (snapshot.overview.ok && overview.ok) assertClose(snapshot.overview.value, overview.value, label);
      const tracked = straightforward.trackedAndBlocked(scope, 200);
      expect(snapshot.tracked.ok && tracked.ok).toBe(true);
      if (snapshot.tracked.ok && tracked.ok)
        assertClose(snapshot.tracked.value, tracked.value, `tracked ${label}`);
      for (const [limit, offset] of [
        [8, 0],
        [5, 4],
      ] as const) {
        const failed = straightforward.failedRuns(scope, limit, offset);
        expect(db.queries.failedRuns(scope, limit, offset), `failed runs ${label}`).toEqual(failed);
      }
      const counts = straightforward.workCounts(scope);
      if (snapshot.counts.ok && counts.ok)
        expect(snapshot.counts.value, `counts ${label}`).toEqual(counts.value);
      const live = db.queries.unfinishedRuns(scope);
      const expectedLive = straightforward.unfinishedRuns(scope);
      if (live.ok && expectedLive.ok) {
        const ids = (runs: typeof live.value) => runs.map((run) => String(run.row.run_id)).sort();
        expect(ids(live.value), `live runs ${label}`).toEqual(ids(expectedLive.value));
      }
    }
  } finally {
    reference.close();
  }
}

/** A writer on `path` with a pinned, movable clock. */
function newWriter(clock: () => number, seed: number) {
  return new MergexoWriter(path, { clock, seed });
}

function finishedRun(
  writer: MergexoWriter,
  rng: Rng,
  finishedAt: number | string,
  format: TsFormat,
  o: { status?: string; repo?: string; kind?: string } = {},
) {
  const finishedMs = typeof finishedAt === 'number' ? finishedAt : Date.parse(finishedAt);
  const id = writer.startRun({
    repo: o.repo ?? rng.pick(REPOS),
    issue: rng.int(1, 400),
    runKind: o.kind ?? rng.pick(KINDS),
    flow: 'bugfix',
    startedAt: finishedMs - rng.int(1, 90) * MINUTE,
    format: rng.pick(FORMATS),
  });
  writer.finishRun(id, {
    status: o.status ?? rng.pick(STATUSES),
    finishedAt: typeof finishedAt === 'string' ? finishedAt : formatTs(finishedAt, format),
  });
  return id;
}

describe.each(DRIVERS)('incremental run aggregates (%s)', (driver) => {
  it('equal a from-scratch computation after every refresh of a randomized writer', () => {
    const rng = createRng(driver === 'better-sqlite3' ? 601 : 602);
    let clock = Date.parse(PINNED_NOW);
    createMergexoDb(path).close();
    let writer = newWriter(() => clock, 11);
    // Some history first: 35 days of finished runs, a few live ones.
    for (let index = 0; index < 300; index += 1) {
      finishedRun(writer, rng, clock - rng.int(0, 35 * DAY), rng.pick(FORMATS));
    }
    let live: string[] = [];
    const startLive = () =>
      live.push(
        writer.startRun({
          repo: rng.pick(REPOS),
          issue: rng.int(1, 400),
          runKind: rng.pick(KINDS),
          startedAt: clock - rng.int(0, 30 * MINUTE),
          format: rng.pick(FORMATS),
        }),
      );
    for (let index = 0; index < 6; index += 1) startLive();
    // Pull requests with review events, some pending, some processed.
    let prs: { repo: string; pr: number; issue: number }[] = [];
    let comment = 1;
    const trackPr = () => {
      const repo = rng.pick(REPOS);
      const issue = rng.int(1, 400);
      const pr = 1000 + prs.length + rng.int(0, 5) * 10_000;
      writer.trackPr({ repo, issue, prNumber: pr, branch: `b-${issue}`, at: clock });
      prs.push({ repo, pr, issue });
    };
    const addEvent = () => {
      if (!prs.length) return;
      const { repo, pr, issue } = rng.pick(prs);
      writer.addFeedbackEvent({
        repo,
        pr,
        issue,
        commentId: comment++,
        updatedAt: formatTs(clock - rng.int(0, 3 * DAY), rng.pick(FORMATS)),
        at: clock,
      });
    };
    for (let index = 0; index < 12; index += 1) trackPr();
    for (let index = 0; index < 40; index += 1) addEvent();

    const detector = new ChangeDetector(path, (p) => MergexoDatabase.open(p, { driver }));
    let allowedBuilds = 1;
    let seenNewest: { id: number; run_id: string } | undefined;
    let builds = 0;
    let deltaSyncs = 0;
    let db: MergexoDatabase | undefined;
    const retire = () => {
      const stats = db?.tracker?.stats();
      builds += stats?.builds ?? 0;
      deltaSyncs += stats?.deltaSyncs ?? 0;
    };
    const counts = { retention: 0, replaced: 0, atCutoff: 0, late: 0, newestDeleted: 0 };

    for (let step = 0; step < 220; step += 1) {
      // The clock of the refresh that follows these writes: rows placed around its window cutoffs.
      const nextClock = clock + (rng.chance(0.05) ? rng.int(1, 3) * DAY : rng.int(0, 40 * MINUTE));
      const nextCutoff = () =>
        nextClock - { '1h': HOUR, '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY }[rng.pick(WINDOWS)];
      const operations = rng.int(0, 4);
      for (let op = 0; op < operations; op += 1) {
        const kind = rng.weighted({
          start: 25,
          finish: 30,
          late: 8,
          atCutoff: 8,
          nearCutoff: 8,
          progress: 8,
          retention: 4,
          restart: 2,
          deleteNewest: 2,
          replace: 1.5,
          trackPr: 3,
          transitionPr: 4,
          event: 10,
          processEvents: 5,
          deleteEvent: 1,
          feedbackTurn: 3,
          cursor: 2,
          takeover: 1,
        });
        if (kind === 'trackPr') trackPr();
        else if (kind === 'event') addEvent();
        else if (kind === 'transitionPr' && prs.length) {
          const { repo, pr, issue } = rng.pick(prs);
          writer.transitionPr({
            repo,
            pr,
            issue,
            to: rng.pick(['awaiting_feedback', 'blocked', 'merged', 'closed']),
            reason: 'test',
            issueError: rng.chance(0.5) ? 'push rejected' : null,
            at: clock,
          });
        } else if (kind === 'processEvents' && prs.length) {
          writer.processEvents({ ...rng.pick(prs), at: clock });
        } else if (kind === 'deleteEvent') {
          // Not something MergeXO does: the tracker must notice by its count and read again.
          writer
            .db!.prepare(
              'DELETE FROM feedback_events WHERE rowid IN ' +
                '(SELECT rowid FROM feedback_events ORDER BY random() LIMIT 1)',
            )
            .run();
        } else if (kind === 'feedbackTurn' && prs.length) {
          const { repo, pr, issue } = rng.pick(prs);
          live.push(
            writer.startRun({
              repo,
              issue,
              prNumber: pr,
              runKind: 'feedback_turn',
              startedAt: clock - rng.int(0, 5 * MINUTE),
              active: rng.chance(0.7),
            }),
          );
        } else if (kind === 'cursor' && prs.length) {
          const { repo, pr, issue } = rng.pick(prs);
          const onPr = rng.chance(0.5);
          writer.pollCursor({
            repo,
            surface: onPr ? 'pr_review_comments' : 'issue_comments',
            scopeNumber: onPr ? pr : issue,
            lastUpdatedAt: formatTs(clock - rng.int(0, DAY), rng.pick(FORMATS)),
            lastCommentId: rng.int(0, 3),
            at: clock,
          });
        } else if (kind === 'takeover' && prs.length) {
          const { repo, issue } = rng.pick(prs);
          if (rng.chance(0.5)) writer.setTakeover({ repo, issue, ignoreActive: rng.chance(0.7), at: clock });
          else
            writer.setGithubState({ repo, issue, state: rng.pick(['closed', 'OPEN', 'Closed']), at: clock });
        } else if (kind === 'start') startLive();
        else if (kind === 'finish' && live.length) {
          const id = live.splice(rng.int(0, live.length - 1), 1)[0]!;
          // Finished slightly out of order: up to 20 minutes before the clock.
          writer.finishRun(id, {
            status: rng.pick(STATUSES),
            finishedAt: formatTs(clock - rng.int(0, 20 * MINUTE), rng.pick(FORMATS)),
          });
        } else if (kind === 'late') {
          counts.late += 1;
          finishedRun(writer, rng, clock - rng.int(1 * HOUR, 40 * DAY), rng.pick(FORMATS));
        } else if (kind === 'atCutoff') {
          // A row right at a window's cutoff for the next refresh, in any format: `…00Z`,
          // `…00.000Z` and `…00.000000Z` of the same instant sort differently as text.
          counts.atCutoff += 1;
          const nudge = rng.pick([0, 0, -1, 1, -1000, 1000]);
          finishedRun(writer, rng, nextCutoff() + nudge, rng.pick(FORMATS), {
            status: rng.pick(['failed', 'completed']),
          });
        } else if (kind === 'nearCutoff') {
          // Late rows in the hour that holds a cutoff (kept row by row), on either side of it.
          counts.atCutoff += 1;
          finishedRun(writer, rng, nextCutoff() + rng.int(-40 * MINUTE, 40 * MINUTE), rng.pick(FORMATS), {
            kind: rng.pick(['issue_flow', 'feedback_turn']),
            status: rng.pick(['failed', 'completed']),
          });
        } else if (kind === 'progress' && live.length) {
          writer.progress(rng.pick(live), clock);
        } else if (kind === 'retention') {
          counts.retention += 1;
          writer.deleteOlderThan({ days: rng.int(1, 33), now: clock });
        } else if (kind === 'restart') {
          writer.reconcileUnfinished({ at: formatTs(clock, rng.pick(FORMATS)) });
          live = [];
        } else if (kind === 'deleteNewest') {
          counts.newestDeleted += 1;
          const newest = writer
            .db!.prepare('SELECT run_id FROM agent_run_history ORDER BY rowid DESC LIMIT 1')
            .get() as { run_id: string } | undefined;
          if (newest) {
            writer.db!.prepare('DELETE FROM agent_run_history WHERE run_id = ?').run(newest.run_id);
            live = live.filter((id) => id !== newest.run_id);
          }
        } else if (kind === 'replace') {
          // Another file takes the path (MergeXO re-initialised, a backup restored).
          counts.replaced += 1;
          writer.close();
          const next = join(dir, 'next.db');
          createMergexoDb(next, { overwrite: true }).close();
          const other = new MergexoWriter(next, { clock: () => clock, seed: step });
          for (let index = 0; index < 40; index += 1) {
            finishedRun(other, rng, clock - rng.int(0, 10 * DAY), rng.pick(FORMATS));
          }
          other.close();
          for (const suffix of ['-wal', '-shm']) rmSync(path + suffix, { force: true });
          renameSync(next, path);
          writer = newWriter(() => clock, 100 + step);
          live = [];
          prs = [];
          allowedBuilds += 1;
          seenNewest = undefined;
        }
      }
      clock = nextClock;
      // A rebuild is expected exactly when the newest row seen at the last refresh is gone or replaced
      // (deleted, or taken by retention when it was a late row with an old finished_at).
      const newestNow = () =>
        writer
          .db!.prepare('SELECT rowid AS id, run_id FROM agent_run_history ORDER BY rowid DESC LIMIT 1')
          .get() as { id: number; run_id: string } | undefined;
      if (seenNewest) {
        const row = writer
          .db!.prepare('SELECT run_id FROM agent_run_history WHERE rowid = ?')
          .get(seenNewest.id) as { run_id: string } | undefined;
        if (row?.run_id !== seenNewest.run_id) allowedBuilds += 1;
      }
      seenNewest = newestNow();
      const check = detector.check();
      expect(['unchanged', 'changed', 'reopened'], `step ${step}: ${check.error ?? ''}`).toContain(
        check.kind,
      );
      if (check.kind === 'reopened') {
        retire();
        db = detector.database;
      }
      expectSameAsFromScratch(db!, driver, clock, `step ${step}`);
    }
    retire();
    detector.close();
    writer.close();
    // The writer did exercise every path, and the state was kept incrementally, not rebuilt each time.
    expect(counts.retention).toBeGreaterThan(3);
    expect(counts.replaced).toBeGreaterThan(0);
    expect(counts.atCutoff).toBeGreaterThan(30);
    expect(counts.late).toBeGreaterThan(10);
    expect(builds).toBeLessThanOrEqual(allowedBuilds);
    expect(deltaSyncs).toBeGreaterThan(100);
  });

  it('compares timestamps as MergeXO does: as text, so formats of one instant sort apart', () => {
    const rng = createRng(5);
    const nowMs = Date.parse(PINNED_NOW);
    createMergexoDb(path).close();
    const writer = newWriter(() => nowMs, 3);
    const db = MergexoDatabase.open(path, { driver });
    const scope: QueryScope = { repo: null, nowMs };
    expect(db.queries.failures(scope, '24h')).toEqual({ ok: true, value: 0, notes: [] });
    // The 24h cutoff is 2026-03-14T12:00:00.000Z. Three failed runs finish at that very instant.
    for (const text of ['2026-03-14T12:00:00Z', '2026-03-14T12:00:00.000Z', '2026-03-14T12:00:00.000000Z']) {
      finishedRun(writer, rng, text, 'ms', { status: 'failed', kind: 'issue_flow' });
    }
    // `…00Z` ('Z' > '.') and `…00.000Z` (equal) are inside; `…00.000000Z` ('0' < 'Z') is not.
    expect(db.queries.failures(scope, '24h')).toEqual({ ok: true, value: 2, notes: [] });
    const metrics = db.queries.metrics(scope, '24h');
    expect(metrics.ok && metrics.value.overall.terminal_count).toBe(2);
    // One millisecond later the cutoff is `…00.001Z`: the whole-second text still sorts after it.
    expect(db.queries.failures({ repo: null, nowMs: nowMs + 1 }, '24h')).toEqual({
      ok: true,
      value: 1,
      notes: [],
    });
    // A second later, none.
    expect(db.queries.failures({ repo: null, nowMs: nowMs + 1000 }, '24h')).toEqual({
      ok: true,
      value: 0,
      notes: [],
    });
    expectSameAsFromScratch(db, driver, nowMs + 1, 'cutoff');
    expect(db.tracker?.stats().builds).toBe(1);
    writer.close();
    db.close();
  });

  it('follows retention into the buckets it holds without rebuilding', () => {
    const rng = createRng(9);
    let clock = Date.parse(PINNED_NOW);
    createMergexoDb(path).close();
    const writer = newWriter(() => clock, 4);
    for (let index = 0; index < 400; index += 1) {
      finishedRun(writer, rng, clock - rng.int(0, 29 * DAY), rng.pick(FORMATS), { kind: 'issue_flow' });
    }
    finishedRun(writer, rng, clock - MINUTE, 'ms');
    const db = MergexoDatabase.open(path, { driver });
    expectSameAsFromScratch(db, driver, clock, 'before');
    const before = db.tracker!.stats();
    // Retention at 10 days: most of the 30-day buckets lose their rows.
    const { runs } = writer.deleteOlderThan({ days: 10, now: clock });
    expect(runs).toBeGreaterThan(200);
    clock += MINUTE;
    expectSameAsFromScratch(db, driver, clock, 'after retention');
    // Retention cut in the middle of an hour: the bucket holding the cut is re-read, not dropped.
    const cut = clock - 5 * DAY - 17 * MINUTE;
    finishedRun(writer, rng, cut + MINUTE, 'ms', { kind: 'issue_flow', status: 'failed' });
    writer.deleteOlderThan(formatTs(cut, 'ms'));
    expectSameAsFromScratch(db, driver, clock, 'cut inside an hour');
    const after = db.tracker!.stats();
    expect(after.builds).toBe(before.builds);
    expect(after.buckets).toBeLessThan(before.buckets);
    writer.close();
    db.close();
  });

  it('sees retention that arrives together with a late row older than every bucket held', () => {
    const rng = createRng(17);
    let clock = Date.parse(PINNED_NOW);
    createMergexoDb(path).close();
    const writer = newWriter(() => clock, 8);
    for (let index = 0; index < 200; index += 1) {
      finishedRun(writer, rng, clock - rng.int(0, 15 * DAY), 'ms', { kind: 'issue_flow' });
    }
    // The newest row is recent, as in a live install (retention deleting it would force a rebuild).
    finishedRun(writer, rng, clock - MINUTE, 'ms');
    const db = MergexoDatabase.open(path, { driver });
    expectSameAsFromScratch(db, driver, clock, 'before');
    // Between two refreshes: retention takes everything older than 10 days, then a run that finished
    // 25 days ago is recorded late; its hour is now the oldest one held and has only the new row.
    writer.deleteOlderThan({ days: 10, now: clock });
    finishedRun(writer, rng, clock - 25 * DAY, 'us', { kind: 'issue_flow', status: 'failed' });
    clock += MINUTE;
    expectSameAsFromScratch(db, driver, clock, 'after');
    expect(db.tracker!.stats().builds).toBe(1);
    writer.close();
    db.close();
  });

  it('answers failed runs from the horizon exactly, up to the last one it holds', () => {
    const rng = createRng(31);
    let clock = Date.parse(PINNED_NOW);
    createMergexoDb(path).close();
    const writer = newWriter(() => clock, 9);
    for (let index = 0; index < 300; index += 1) {
      finishedRun(writer, rng, clock - rng.int(0, 40 * DAY), rng.pick(FORMATS), { status: 'failed' });
    }
    finishedRun(writer, rng, clock - MINUTE, 'ms');
    const db = MergexoDatabase.open(path, { driver });
    const reference = MergexoDatabase.open(path, { driver, incremental: false });
    const straightforward = new StraightforwardQueries(reference.connection, reference.schema);
    const held = () => {
      const from = bucketOf(windowCutoffText(clock, '30d'));
      const row = writer
        .db!.prepare(
          `SELECT COUNT(*) AS n FROM agent_run_history WHERE terminal_status = 'failed' AND finished_at >= ?`,
        )
        .get(from) as { n: number };
      return row.n;
    };
    const compare = (label: string) => {
      const n = held();
      expect(n, label).toBeGreaterThan(20);
      for (const [limit, offset] of [
        [n, 0],
        [n - 5, 5],
        [3, n - 3],
        [n + 1, 0],
      ] as const) {
        const scope: QueryScope = { repo: null, nowMs: clock };
        expect(db.queries.failedRuns(scope, limit, offset), `${label} ${limit}/${offset}`).toEqual(
          straightforward.failedRuns(scope, limit, offset),
        );
      }
    };
    compare('first');
    clock += 4 * DAY + 7 * HOUR; // the horizon moves: the oldest failures held must go
    finishedRun(writer, rng, clock - 2 * MINUTE, 'us', { status: 'failed' });
    compare('later');
    // Retention cut inside an hour: the bucket holding the cut is re-read, its failures too.
    const cut = clock - 12 * DAY - 23 * MINUTE;
    finishedRun(writer, rng, cut + MINUTE, 's', { status: 'failed' });
    finishedRun(writer, rng, cut - MINUTE, 'ms', { status: 'failed' });
    finishedRun(writer, rng, clock - MINUTE, 'ms', { status: 'completed' });
    compare('before the cut');
    writer.deleteOlderThan(formatTs(cut, 'ms'));
    compare('after the cut');
    expect(db.tracker!.stats().builds).toBe(1);
    writer.close();
    reference.close();
    db.close();
  });

  it('answers failed runs older than the horizon from the database: filters, paging, out-of-order finishes', () => {
    const rng = createRng(47);
    let clock = Date.parse(PINNED_NOW);
    createMergexoDb(path).close();
    const writer = newWriter(() => clock, 12);
    // Failures older than the 30-day horizon in every repository; inside it, many in REPOS[0], a few
    // in REPOS[1] and none in REPOS[2] / REPOS[3]: most pages of most scopes reach past the horizon.
    for (let index = 0; index < 120; index += 1) {
      finishedRun(writer, rng, clock - rng.int(31 * DAY, 80 * DAY), rng.pick(FORMATS), { status: 'failed' });
    }
    for (let index = 0; index < 30; index += 1) {
      const at = clock - rng.int(0, 29 * DAY);
      finishedRun(writer, rng, at, rng.pick(FORMATS), { status: 'failed', repo: REPOS[0] });
    }
    for (let index = 0; index < 4; index += 1) {
      const at = clock - rng.int(0, 29 * DAY);
      finishedRun(writer, rng, at, rng.pick(FORMATS), { status: 'failed', repo: REPOS[1] });
    }
    // Failures with the very same text in two repositories, past and inside the horizon: the run id
    // decides their order.
    for (const [at, repos] of [
      ['2026-02-01T08:00:00.000Z', [REPOS[0]!, REPOS[2]!]],
      ['2026-03-01T08:00:00.000Z', [REPOS[0]!, REPOS[1]!]],
    ] as const) {
      for (const repo of repos) finishedRun(writer, rng, at, 'ms', { status: 'failed', repo });
    }
    for (let index = 0; index < 60; index += 1) {
      finishedRun(writer, rng, clock - rng.int(0, 70 * DAY), rng.pick(FORMATS), { status: 'completed' });
    }
    finishedRun(writer, rng, clock - MINUTE, 'ms', { status: 'completed' });

    const db = MergexoDatabase.open(path, { driver });
    const reference = MergexoDatabase.open(path, { driver, incremental: false });
    const straightforward = new StraightforwardQueries(reference.connection, reference.schema);
    const failedSince = (repo: string | null, since: string) => {
      const row = writer
        .db!.prepare(
          `SELECT COUNT(*) AS n FROM agent_run_history
            WHERE terminal_status = 'failed' AND finished_at >= ? AND (? IS NULL OR repo_full_name = ?)`,
        )
        .get(since, repo, repo) as { n: number };
      return row.n;
    };
    const tally = { fromState: 0, fromDatabase: 0, olderShown: 0 };
    const compare = (label: string) => {
      const horizon = bucketOf(windowCutoffText(clock, '30d'));
      for (const repo of [null, ...REPOS, 'nobody/nothing']) {
        const scope: QueryScope = { repo, nowMs: clock };
        const held = failedSince(repo, horizon);
        const pages: [number, number][] = [
          [1, 0],
          [3, 2],
          [8, 0],
          [held, 0],
          [held - 1, 1],
          [2, held - 1],
          [1, held],
          [held + 1, 0],
          [5, held],
          [51, 0], // what Recent outcomes asks for (page size + 1)
          [50, 50],
        ];
        for (const [limit, offset] of pages) {
          if (limit < 1 || offset < 0) continue;
          const where = `${label} ${repo ?? 'all'} ${limit}/${offset} (held ${held})`;
          // The state answers only when the horizon holds the whole page; otherwise the database does.
          const fromState = db.tracker!.failedRuns(scope, limit, offset);
          if (limit + offset > held) {
            expect(fromState, where).toBeUndefined();
            tally.fromDatabase += 1;
          } else {
            expect(fromState, where).toHaveLength(limit);
            tally.fromState += 1;
          }
          const expected = straightforward.failedRuns(scope, limit, offset);
          expect(db.queries.failedRuns(scope, limit, offset), where).toEqual(expected);
          if (expected.ok) {
            tally.olderShown += expected.value.filter((run) => (run.finished_at ?? '') < horizon).length;
          }
        }
        // Recent outcomes reads both lists; the merges and closes come from issue_runs as before.
        expect(db.queries.terminalOutcomes(scope, 51), `outcomes ${label}`).toEqual(
          straightforward.terminalOutcomes(scope, 51),
        );
      }
      // A repository with (at first) no failure in the horizon still lists its older ones.
      const quiet = db.queries.failedRuns({ repo: REPOS[3]!, nowMs: clock }, 5, 0);
      expect(quiet.ok && quiet.value.length, `${label} quiet repository`).toBe(
        Math.min(5, failedSince(REPOS[3]!, '')),
      );
    };
    compare('first');

    // Runs finish out of order: several live at once, finished in random order with finished_at up to
    // 20 minutes back in any format; some recorded late with a finished_at past the horizon. Old
    // failures are pruned by retention now and then; the clock moves on (the horizon with it).
    const live: string[] = [];
    for (let step = 0; step < 40; step += 1) {
      for (let index = rng.int(0, 3); index > 0; index -= 1) {
        live.push(
          writer.startRun({
            repo: rng.pick(REPOS),
            issue: rng.int(1, 400),
            runKind: rng.pick(KINDS),
            startedAt: clock - rng.int(1, 60) * MINUTE,
            format: rng.pick(FORMATS),
          }),
        );
      }
      for (let index = rng.int(0, Math.min(3, live.length)); index > 0; index -= 1) {
        const id = live.splice(rng.int(0, live.length - 1), 1)[0]!;
        writer.finishRun(id, {
          status: rng.pick(['failed', 'failed', 'completed', 'blocked']),
          finishedAt: formatTs(clock - rng.int(0, 20 * MINUTE), rng.pick(FORMATS)),
        });
      }
      if (rng.chance(0.3)) {
        const at = clock - rng.int(30 * DAY + HOUR, 38 * DAY);
        finishedRun(writer, rng, at, rng.pick(FORMATS), { status: 'failed' });
      }
      if (rng.chance(0.1)) writer.deleteOlderThan({ days: rng.int(45, 75), now: clock });
      clock += rng.chance(0.1) ? rng.int(2, 10) * HOUR : rng.int(1, 30) * MINUTE;
      compare(`step ${step}`);
    }
    expect(tally.fromState).toBeGreaterThan(100);
    expect(tally.fromDatabase).toBeGreaterThan(100);
    expect(tally.olderShown).toBeGreaterThan(100);
    expect(db.tracker!.stats().builds).toBe(1);
    writer.close();
    reference.close();
    db.close();
  });

  it('rebuilds when the newest row is deleted and its rowid reused', () => {
    const rng = createRng(13);
    const clock = Date.parse(PINNED_NOW);
    createMergexoDb(path).close();
    const writer = newWriter(() => clock, 5);
    for (let index = 0; index < 50; index += 1) finishedRun(writer, rng, clock - rng.int(0, 3 * DAY), 'ms');
    const db = MergexoDatabase.open(path, { driver });
    expectSameAsFromScratch(db, driver, clock, 'before');
    const newest = writer
      .db!.prepare('SELECT rowid AS id FROM agent_run_history ORDER BY rowid DESC LIMIT 1')
      .get() as {
      id: number;
    };
    writer.db!.prepare('DELETE FROM agent_run_history WHERE rowid = ?').run(newest.id);
    finishedRun(writer, rng, clock - HOUR, 'ms', { status: 'failed', kind: 'issue_flow' });
    const reused = writer.db!.prepare('SELECT MAX(rowid) AS id FROM agent_run_history').get() as {
      id: number;
    };
    expect(reused.id).toBe(newest.id);
    expectSameAsFromScratch(db, driver, clock, 'after reuse');
    expect(db.tracker!.stats().builds).toBe(2);
    writer.close();
    db.close();
  });

  it('lets buckets go as time moves on, and keeps state small', () => {
    const rng = createRng(21);
    let clock = Date.parse(PINNED_NOW);
    createMergexoDb(path).close();
    const writer = newWriter(() => clock, 6);
    for (let index = 0; index < 300; index += 1) finishedRun(writer, rng, clock - rng.int(0, 20 * DAY), 'ms');
    const db = MergexoDatabase.open(path, { driver });
    db.queries.metrics({ repo: null, nowMs: clock }, '30d');
    const held = db.tracker!.stats().buckets;
    expect(held).toBeGreaterThan(10);
    clock += 25 * DAY;
    expectSameAsFromScratch(db, driver, clock, 'later');
    expect(db.tracker!.stats().buckets).toBeLessThan(held);
    clock += 20 * DAY;
    expectSameAsFromScratch(db, driver, clock, 'much later');
    expect(db.tracker!.stats().buckets).toBe(0);
    writer.close();
    db.close();
  });
});

describe('bucket keys', () => {
  it('bound exactly the texts of one hour, whatever their format', () => {
    const key = bucketOf('2026-03-14T12:34:56.789Z');
    expect(key).toBe('2026-03-14T12');
    const { from, to } = bucketRange(key);
    for (const text of ['2026-03-14T12:00:00Z', '2026-03-14T12:59:59.999999Z', '2026-03-14T12']) {
      expect(text >= from && text < to, text).toBe(true);
    }
    for (const text of ['2026-03-14T11:59:59.999999Z', '2026-03-14T13:00:00Z', '2026-03-14T1']) {
      expect(text >= from && text < to, text).toBe(false);
    }
    expect(bucketOf(windowCutoffText(Date.parse(PINNED_NOW), '24h'))).toBe('2026-03-14T12');
  });
});
