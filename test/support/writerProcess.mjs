// A child process that writes a state.db the way MergeXO does (through tools/mergexo-writer.mjs),
// driven over IPC by live tests. It reports the wall-clock time around every commit so the test can
// tell how long the reader took to see it.
//
// Messages in:  { cmd: 'open', file, create?, baseDir?, lock? }  hold a connection (and writer.lock)
//               { cmd: 'scenario', ops, minGapMs, maxGapMs, checkpointEvery, seed }
//               { cmd: 'exclusive', holdMs }               BEGIN EXCLUSIVE, one insert, hold, COMMIT
//               { cmd: 'recreate', runs }   MergeXO re-initialised: delete the files, create anew
//               { cmd: 'delete' }           remove state.db and its side files
//               { cmd: 'checkpoint' }  { cmd: 'exit' }
// Messages out: { type: 'ready', pid } after open; { type: 'commit', seq, op, beganMs, endMs } per
//               transaction; { type: 'checkpoint', result, walSize }; { type: 'done', counts };
//               { type: 'locked' } once the exclusive transaction holds its lock; { type: 'error', message }.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { acquireLock, createMergexoDb, createRng, MergexoWriter } from '../../tools/mergexo-writer.mjs';

/** Wall-clock ms with sub-millisecond resolution, comparable across processes. */
const wallMs = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const send = (message) => process.send?.(message);

/** @type {MergexoWriter | null} */
let writer = null;
let file = '';
let seq = 0;

/**
 * Runs one writer call (one transaction) and reports it. `account(value)` updates the scenario's
 * tallies; the message carries them as `expect`, the state a reader must see once it has seen this
 * commit (every tally only grows, so "seen" means "at least these").
 */
function commit(op, fn, account = () => undefined, tallies = undefined) {
  const beganMs = wallMs();
  const value = fn();
  const endMs = wallMs();
  account(value);
  send({ type: 'commit', seq: ++seq, op, beganMs, endMs, expect: tallies ? { ...tallies } : undefined });
  return value;
}

function checkpoint() {
  const result = writer.checkpoint('TRUNCATE');
  const walSize = fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? null;
  send({ type: 'checkpoint', result, walSize });
}

/**
 * MergeXO-like traffic: runs start, report progress (meta_json rewrites), finish; PRs are tracked and
 * move; review events arrive. Tallies are what a reader can count: rows per table, and the highest
 * `op_seq` any progress tick stamped into meta_json.
 */
async function scenario({ ops, minGapMs, maxGapMs, checkpointEvery, seed }) {
  const rng = createRng(seed);
  const repo = 'acme/widgets';
  const live = [];
  const tracked = [];
  const tallies = { runs: 0, finished: 0, history: 0, feedback: 0, progress: 0 };
  const counts = { started: 0, finished: 0, progress: 0, transitions: 0, feedback: 0 };
  let issue = 100;
  let pr = 500;
  for (let i = 0; i < ops; i++) {
    const roll = rng.int(0, 99);
    if (live.length === 0 || (roll < 15 && live.length < 4)) {
      const number = ++issue;
      const runId = commit(
        'startRun',
        () => writer.startRun({ repo, issue: number, flow: 'bugfix', branch: `agent/${number}` }),
        () => tallies.runs++,
        tallies,
      );
      live.push({ runId, issue: number });
      counts.started++;
    } else if (roll < 25) {
      const run = live.splice(rng.int(0, live.length - 1), 1)[0];
      const failed = rng.int(0, 3) === 0;
      const outcome = failed ? { status: 'failed', failureClass: 'tests_failed' } : { status: 'completed' };
      commit(
        'finishRun',
        () => writer.finishRun(run.runId, outcome),
        () => tallies.finished++,
        tallies,
      );
      counts.finished++;
      if (!failed) {
        const number = ++pr;
        const branch = `agent/${run.issue}`;
        commit(
          'trackPr',
          () => writer.trackPr({ repo, issue: run.issue, prNumber: number, branch }),
          () => tallies.history++,
          tallies,
        );
        tracked.push({ pr: number, issue: run.issue });
        counts.transitions++;
      }
    } else if (roll < 35 && tracked.length > 0) {
      const target = tracked[rng.int(0, tracked.length - 1)];
      const to = rng.int(0, 1) === 0 ? 'blocked' : 'awaiting_feedback';
      const move = { repo, pr: target.pr, issue: target.issue, to, reason: 'simulated', detail: `op ${i}` };
      const wrote = commit(
        'transitionPr',
        () => writer.transitionPr(move),
        (w) => w && tallies.history++,
        tallies,
      );
      if (wrote) counts.transitions++;
    } else if (roll < 42 && tracked.length > 0) {
      const target = tracked[rng.int(0, tracked.length - 1)];
      const event = { repo, pr: target.pr, issue: target.issue, commentId: 9000 + i };
      commit(
        'addFeedbackEvent',
        () => writer.addFeedbackEvent(event),
        () => tallies.feedback++,
        tallies,
      );
      counts.feedback++;
    } else {
      const run = live[rng.int(0, live.length - 1)];
      const stamp = seq + 1;
      commit(
        'progress',
        () => writer.progress(run.runId, undefined, { run_phase: `step ${i}`, op_seq: stamp }),
        () => (tallies.progress = stamp),
        tallies,
      );
      counts.progress++;
    }
    if (checkpointEvery > 0 && (i + 1) % checkpointEvery === 0) checkpoint();
    await sleep(rng.int(minGapMs, maxGapMs));
  }
  send({ type: 'done', counts: { ...counts, live: live.length } });
}

async function exclusive({ holdMs }) {
  const db = writer.db;
  const beganMs = wallMs();
  db.exec('BEGIN EXCLUSIVE');
  db.prepare(
    `INSERT INTO agent_run_history(run_id, repo_full_name, run_kind, issue_number, started_at, meta_json)
     VALUES(?, 'acme/widgets', 'issue_flow', 4242, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), '{}')`,
  ).run(`exclusive-${seq + 1}`);
  send({ type: 'locked' });
  await sleep(holdMs);
  db.exec('COMMIT');
  send({ type: 'commit', seq: ++seq, op: 'exclusive', beganMs, endMs: wallMs() });
}

process.on('message', async (message) => {
  try {
    if (message.cmd === 'open') {
      file = message.file;
      if (message.create) createMergexoDb(file).close();
      if (message.lock) acquireLock(message.baseDir, { command: 'service' });
      writer = new MergexoWriter(file, { seed: 7 });
      send({ type: 'ready', pid: process.pid });
    } else if (message.cmd === 'scenario') {
      await scenario(message);
    } else if (message.cmd === 'exclusive') {
      await exclusive(message);
    } else if (message.cmd === 'recreate') {
      writer?.close();
      createMergexoDb(file, { overwrite: true }).close();
      writer = new MergexoWriter(file, { seed: 11 });
      for (let i = 0; i < message.runs; i++) {
        commit('startRun', () => writer.startRun({ repo: 'acme/fresh', issue: i + 1, flow: 'small_job' }));
      }
      send({ type: 'recreated' });
    } else if (message.cmd === 'delete') {
      writer?.close();
      writer = null;
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
      send({ type: 'deleted' });
    } else if (message.cmd === 'checkpoint') {
      checkpoint();
    } else if (message.cmd === 'exit') {
      writer?.close();
      process.exit(0);
    }
  } catch (error) {
    send({ type: 'error', message: error instanceof Error ? error.stack : String(error) });
  }
});
