// Entry point bundled by the bad-file tests and run in a child process, possibly as an unprivileged
// user: opens a state.db with one driver and prints what happened as one JSON line.
import { MergexoDatabase } from '../../../src/data/database';
import { OpenError, type DriverName } from '../../../src/data/sqlite';

const [file, driver] = process.argv.slice(2) as [string, DriverName];
try {
  const db = MergexoDatabase.open(file, { driver });
  const dashboard = db.readDashboard({ repo: null, nowMs: Date.parse('2026-03-15T12:00:00.000Z') }, '24h');
  db.close();
  console.log(JSON.stringify({ ok: true, uid: process.getuid?.(), agents: dashboard.totalAgents }));
} catch (error) {
  const open = error instanceof OpenError;
  console.log(
    JSON.stringify({
      ok: false,
      uid: process.getuid?.(),
      kind: open ? error.kind : 'thrown',
      message: error instanceof Error ? error.message : String(error),
      detail: open ? error.detail : undefined,
    }),
  );
}
