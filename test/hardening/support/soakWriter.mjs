// The soak's writer: a child process that writes a state.db the way MergeXO does (one IMMEDIATE
// transaction per call through tools/mergexo-writer.mjs, WAL, synchronous=NORMAL, 5 s busy timeout,
// SQLite's automatic checkpoints) plus a wal_checkpoint(TRUNCATE) every second, at a steady rate, for
// a fixed time. Nothing is ever deleted, so every count a reader can take only grows.
//
// Message in:   { cmd: 'run', file, durationMs, targetTps, checkpointEveryMs }
// Messages out: { type: 'started' }; { type: 'done', stats }; { type: 'error', message }
// A failed call is counted, not fatal: `busy` counts SQLITE_BUSY/SQLITE_LOCKED (what a reader could
// cause), `failed` everything else.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createRng, MergexoWriter } from '../../../tools/mergexo-writer.mjs';

const send = (message) => process.send?.(message);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** SQLite's primary result code from better-sqlite3's error code name (never from the message). */
function isBusy(error) {
  const code = typeof error?.code === 'string' ? error.code : '';
  return /^SQLITE_(BUSY|LOCKED)(_|$)/.test(code);
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] : 0;
}

async function run({ file, durationMs, targetTps, checkpointEveryMs }) {
  const writer = new MergexoWriter(file, { seed: 77 });
  const rng = createRng(77);
  const repos = ['acme/widgets', 'acme/gadgets', 'octo/docs'];
  const live = [];
  const tracked = [];
  const tallies = { runs: 0, finished: 0, transitions: 0, feedback: 0, progress: 0 };
  const opMs = [];
  const checkpoints = [];
  let busy = 0;
  let failed = 0;
  let lastFailure = '';
  let transactions = 0;
  let walMaxBytes = 0;
  let issue = 1000;
  let pr = 5000;

  const call = (fn, onDone) => {
    const began = performance.now();
    try {
      const value = fn();
      transactions++;
      onDone?.(value);
    } catch (error) {
      if (isBusy(error)) busy++;
      else {
        failed++;
        lastFailure = error instanceof Error ? error.message : String(error);
      }
    }
    opMs.push(performance.now() - began);
  };

  const step = () => {
    const roll = rng.int(0, 99);
    if (live.length < 3 || (roll < 12 && live.length < 12)) {
      const number = ++issue;
      const repo = repos[number % repos.length];
      call(
        () => writer.startRun({ repo, issue: number, flow: 'bugfix', branch: `agent/${number}` }),
        (runId) => {
          live.push({ runId, repo, issue: number });
          tallies.runs++;
        },
      );
    } else if (roll < 24) {
      const run = live.splice(rng.int(0, live.length - 1), 1)[0];
      const failure = rng.int(0, 3) === 0;
      call(
        () =>
          writer.finishRun(
            run.runId,
            failure
              ? { status: 'failed', failureClass: 'tests_failed', error: 'tests failed' }
              : { status: 'completed' },
          ),
        () => tallies.finished++,
      );
      if (!failure) {
        const number = ++pr;
        call(
          () =>
            writer.trackPr({
              repo: run.repo,
              issue: run.issue,
              prNumber: number,
              branch: `agent/${run.issue}`,
            }),
          () => {
            tracked.push({ repo: run.repo, pr: number, issue: run.issue });
            tallies.transitions++;
          },
        );
      }
    } else if (roll < 36 && tracked.length > 0) {
      const target = tracked[rng.int(0, tracked.length - 1)];
      const to = rng.int(0, 1) === 0 ? 'blocked' : 'awaiting_feedback';
      call(
        () => writer.transitionPr({ ...target, to, reason: 'soak', detail: `step ${transactions}` }),
        (wrote) => {
          if (wrote) tallies.transitions++;
        },
      );
    } else if (roll < 46 && tracked.length > 0) {
      const target = tracked[rng.int(0, tracked.length - 1)];
      call(
        () => writer.addFeedbackEvent({ ...target, commentId: 100000 + transactions }),
        () => tallies.feedback++,
      );
    } else {
      const run = live[rng.int(0, live.length - 1)];
      call(
        () => writer.progress(run.runId, undefined, { run_phase: `step ${transactions}` }),
        () => tallies.progress++,
      );
    }
  };

  const started = performance.now();
  let nextCheckpoint = started + checkpointEveryMs;
  send({ type: 'started' });
  while (performance.now() - started < durationMs) {
    // Catch up to the target rate in small bursts, yielding to the event loop in between.
    const due = Math.floor(((performance.now() - started) / 1000) * targetTps);
    let burst = 0;
    while (transactions + busy + failed < due && burst < 50) {
      step();
      burst++;
    }
    const wal = fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
    walMaxBytes = Math.max(walMaxBytes, wal);
    if (performance.now() >= nextCheckpoint) {
      nextCheckpoint += checkpointEveryMs;
      const began = performance.now();
      try {
        const result = writer.checkpoint('TRUNCATE');
        const after = fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
        checkpoints.push({ ...result, ms: performance.now() - began, walBefore: wal, walAfter: after });
      } catch (error) {
        if (isBusy(error)) busy++;
        else failed++;
        checkpoints.push({
          busy: -1,
          log: -1,
          checkpointed: -1,
          ms: performance.now() - began,
          walBefore: wal,
        });
      }
    }
    await sleep(2);
  }
  const elapsedMs = performance.now() - started;
  writer.close();
  const sorted = [...opMs].sort((a, b) => a - b);
  send({
    type: 'done',
    stats: {
      transactions,
      elapsedMs,
      tps: transactions / (elapsedMs / 1000),
      busy,
      failed,
      lastFailure,
      maxOpMs: sorted[sorted.length - 1] ?? 0,
      p99OpMs: percentile(sorted, 99),
      medianOpMs: percentile(sorted, 50),
      checkpoints,
      walMaxBytes,
      tallies,
      live: live.length,
    },
  });
}

process.on('message', (message) => {
  if (message.cmd !== 'run') return;
  run(message).catch((error) =>
    send({ type: 'error', message: error instanceof Error ? error.stack : String(error) }),
  );
});
