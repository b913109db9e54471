// The 60-second soak: a writer process imitating MergeXO (run starts, meta_json rewrites, finishes,
// PR transitions, feedback events; at least 200 transactions a second; wal_checkpoint(TRUNCATE) every
// second) while the data layer refreshes every 100 ms the way the extension does (change check, then
// dashboard and metrics in one snapshot), once per driver: better-sqlite3 in this process and
// node:sqlite in a child process. It proves: no error reaches the user, every refresh is consistent,
// the writer never gets SQLITE_BUSY, and the WAL stays bounded because the readers never pin it.
// Kept in its own file: it is the one long test, run once per CI build. SOAK_SECONDS shortens it
// for a local try.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createMergexoDb } from '../../tools/mergexo-writer.mjs';
import { bundleForChild, removeBundles } from './support/childBundle';
import { soakRead, type SoakReaderStats } from './support/soakReader';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const DURATION_MS = SECONDS * 1000;
const PERIOD_MS = 100;
const TARGET_TPS = 300;

const root = mkdtempSync(join(tmpdir(), 'mergexo-soak-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  removeBundles();
});

interface Checkpoint {
  busy: number;
  log: number;
  checkpointed: number;
  ms: number;
  walBefore: number;
  walAfter?: number;
}
interface WriterStats {
  transactions: number;
  elapsedMs: number;
  tps: number;
  busy: number;
  failed: number;
  lastFailure: string;
  maxOpMs: number;
  p99OpMs: number;
  medianOpMs: number;
  checkpoints: Checkpoint[];
  walMaxBytes: number;
  tallies: { runs: number; finished: number; transitions: number; feedback: number; progress: number };
  live: number;
}

function child<T>(modulePath: string, message: Record<string, unknown>, doneType: string): Promise<T> {
  const process_ = fork(modulePath, [], {
    execPath: process.execPath,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<T>((resolve, reject) => {
    process_.on('message', (reply: { type: string; message?: string } & Record<string, T>) => {
      if (reply.type === 'error') reject(new Error(reply.message));
      if (reply.type === doneType) {
        resolve(reply.stats as T);
        process_.kill();
      }
    });
    process_.on('exit', (code) => {
      if (code !== 0 && code !== null) reject(new Error(`${modulePath} exited with ${code}`));
    });
    process_.send(message);
  });
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
};

it(
  `${SECONDS} s of MergeXO-like writes while the data layer refreshes every ${PERIOD_MS} ms`,
  { timeout: DURATION_MS + 60_000 },
  async () => {
    const file = join(root, 'state.db');
    createMergexoDb(file).close();
    const readerBundle = bundleForChild(join(__dirname, 'support', 'soakReaderChild.ts'));

    const writer = child<WriterStats>(
      join(__dirname, 'support', 'soakWriter.mjs'),
      { cmd: 'run', file, durationMs: DURATION_MS, targetTps: TARGET_TPS, checkpointEveryMs: 1000 },
      'done',
    );
    const readOptions = { file, durationMs: DURATION_MS, periodMs: PERIOD_MS };
    const childReader = child<SoakReaderStats>(
      readerBundle,
      { cmd: 'read', ...readOptions, driver: 'node:sqlite' },
      'stats',
    );
    const localReader = soakRead({ ...readOptions, driver: 'better-sqlite3' });
    const [w, ...readers] = await Promise.all([writer, localReader, childReader]);

    const checkpoints = w.checkpoints;
    const cpMs = checkpoints.map((c) => c.ms);
    const lines = [
      `writer: ${w.transactions} transactions in ${(w.elapsedMs / 1000).toFixed(1)} s = ${w.tps.toFixed(0)}/s; ` +
        `busy ${w.busy}, other failures ${w.failed}; commit median ${w.medianOpMs.toFixed(2)} ms, ` +
        `p99 ${w.p99OpMs.toFixed(2)} ms, max ${w.maxOpMs.toFixed(1)} ms`,
      `writer wrote: ${JSON.stringify(w.tallies)}, ${w.live} runs still live`,
      `WAL: max ${(w.walMaxBytes / 1024).toFixed(0)} KiB; ${checkpoints.length} TRUNCATE checkpoints, ` +
        `busy>0 in ${checkpoints.filter((c) => c.busy !== 0).length}, log!=checkpointed in ` +
        `${checkpoints.filter((c) => c.log !== c.checkpointed).length}, WAL after each: max ` +
        `${Math.max(...checkpoints.map((c) => c.walAfter ?? -1))} bytes; checkpoint median ` +
        `${quantile(cpMs, 0.5).toFixed(2)} ms, max ${Math.max(...cpMs).toFixed(1)} ms`,
      ...readers.map(
        (r) =>
          `reader ${r.driver}: ${r.checks} checks, ${r.refreshes} refreshes, refresh median ` +
          `${quantile(r.refreshMs, 0.5).toFixed(1)} ms, p99 ${quantile(r.refreshMs, 0.99).toFixed(1)} ms, max ` +
          `${Math.max(...r.refreshMs).toFixed(1)} ms; check max ${Math.max(...r.checkMs).toFixed(2)} ms; ` +
          `errors ${r.errors.length}, inconsistencies ${r.inconsistencies.length}; last ${JSON.stringify(r.last)}`,
      ),
    ];
    console.log(`[soak]\n${lines.join('\n')}`);

    // The writer kept its pace and never failed; no SQLITE_BUSY, nor any other error.
    expect(w.tps).toBeGreaterThanOrEqual(200);
    expect(w.busy).toBe(0);
    expect({ failed: w.failed, lastFailure: w.lastFailure }).toEqual({ failed: 0, lastFailure: '' });
    // The WAL is recycled: every TRUNCATE checkpoint found no reader pinning old frames.
    expect(checkpoints.length).toBeGreaterThanOrEqual(SECONDS - 2);
    for (const checkpoint of checkpoints) {
      expect(checkpoint.busy).toBe(0);
      expect(checkpoint.log).toBe(checkpoint.checkpointed);
      expect(checkpoint.walAfter).toBe(0);
    }
    // SQLite's automatic checkpoint at 1000 pages bounds the WAL between TRUNCATEs (4 MiB pages + slack).
    expect(w.walMaxBytes).toBeLessThan(8 * 1024 * 1024);

    for (const reader of readers) {
      expect(reader.errors, reader.driver).toEqual([]);
      expect(reader.inconsistencies, reader.driver).toEqual([]);
      // Refreshing every 100 ms against a writer that never stops: nearly every poll re-reads.
      expect(reader.refreshes, reader.driver).toBeGreaterThan((DURATION_MS / PERIOD_MS) * 0.5);
      // What the reader saw last is what the writer wrote (it stopped before the last poll or two).
      expect(reader.last!.runs, reader.driver).toBeGreaterThan(w.tallies.runs * 0.95);
      expect(reader.last!.runs, reader.driver).toBeLessThanOrEqual(w.tallies.runs);
    }
  },
);
