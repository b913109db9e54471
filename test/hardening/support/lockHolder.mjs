// A child process that takes a lock on a MergeXO database the way a writer could, holds it, then lets
// go, so a test can watch what the reader does meanwhile. It runs in its own process because two
// SQLite libraries in one process (better-sqlite3's and node:sqlite's) do not see each other's locks.
//
// Message in:  { cmd: 'hold', file, mode, holdMs, busyTimeoutMs? }  (busy timeout default 5 s, as MergeXO)
//   mode 'wal-begin-exclusive'  WAL database, BEGIN EXCLUSIVE + one insert (does NOT block readers)
//   mode 'wal-locking-exclusive' WAL database, PRAGMA locking_mode=EXCLUSIVE + one insert: the
//                                connection keeps an exclusive lock on the file (blocks readers)
//   mode 'rollback-exclusive'   a database already in rollback-journal mode (journal_mode=DELETE),
//                               BEGIN EXCLUSIVE + one insert (blocks readers)
// Messages out: { type: 'locked', atMs } once the lock is held; { type: 'released', atMs } after the
//               commit; { type: 'error', message }.
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { openMergexoDb } from '../../../tools/mergexo-writer.mjs';

const wallMs = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const send = (message) => process.send?.(message);

const INSERT = `INSERT INTO agent_run_history(run_id, repo_full_name, run_kind, issue_number, started_at, meta_json)
  VALUES(?, 'acme/locks', 'issue_flow', 4242, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), '{"codex_active": true}')`;

async function hold({ file, mode, holdMs, busyTimeoutMs }) {
  // openMergexoDb switches to WAL; a rollback-journal file must stay as it is.
  const db = mode === 'rollback-exclusive' ? new Database(file, { timeout: 5000 }) : openMergexoDb(file);
  if (busyTimeoutMs !== undefined) db.pragma(`busy_timeout = ${Number(busyTimeoutMs)}`);
  try {
    await lockAndRelease(db, mode, holdMs);
  } finally {
    db.close();
  }
}

async function lockAndRelease(db, mode, holdMs) {
  if (mode === 'wal-locking-exclusive') {
    // The lock is taken by the first write and kept after COMMIT until locking_mode goes back.
    db.pragma('locking_mode = EXCLUSIVE');
    db.prepare(INSERT).run(`lock-${mode}`);
  } else {
    db.exec('BEGIN EXCLUSIVE');
    db.prepare(INSERT).run(`lock-${mode}`);
  }
  send({ type: 'locked', atMs: wallMs() });
  await sleep(holdMs);
  if (mode === 'wal-locking-exclusive') {
    db.pragma('locking_mode = NORMAL');
    // Back in NORMAL mode the exclusive lock goes at the end of the next transaction.
    db.prepare('SELECT count(*) FROM agent_run_history').get();
  } else {
    db.exec('COMMIT');
  }
  send({ type: 'released', atMs: wallMs() });
}

process.on('message', (message) => {
  if (message.cmd !== 'hold') return;
  hold(message).catch((error) =>
    send({ type: 'error', message: error instanceof Error ? error.stack : String(error) }),
  );
});
