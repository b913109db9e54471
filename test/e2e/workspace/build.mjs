// Workspaces for the tests that run the extension in a real VS Code (the in-host suite, the end-to-end
// script, the demo): a folder with a mergexo.toml whose [runtime] base_dir holds a copy of a fixture
// database, or a folder with nothing MergeXO in it.
//
// The fixtures were written at a pinned clock (2026-03-15T12:00:00Z); the extension reads the machine's
// clock and has no way to pin it. So the copy is re-dated: every timestamp in it, including those inside
// meta_json and in keys, moves by the same whole number of seconds so that the fixture's "now" becomes
// the moment of the copy. Text formats are kept (…:00Z, …:00.000Z, …:00.000000Z), so MergeXO's text
// comparisons order the same rows the same way, and every figure equals the expected file's at its
// pinned now for as long as no window boundary is crossed: for small.db the nearest run is 50 minutes
// from the 24h cutoff, so a test has that long after building the workspace.
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures');
export const PINNED_NOW = '2026-03-15T12:00:00.000Z';

const TIMESTAMP = /(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z/g;

/** `text` with every ISO-8601 UTC timestamp in it moved by `offsetSeconds`, each in its own format. */
export function shiftTimestamps(text, offsetSeconds) {
  return text.replace(TIMESTAMP, (_match, y, mo, d, h, mi, s, fraction = '') => {
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    const shifted = new Date(ms + offsetSeconds * 1000).toISOString().slice(0, 19);
    return `${shifted}${fraction}Z`;
  });
}

/** Rewrites every text value of every table of the database at `file`; returns how many changed. */
export function redateDatabase(file, offsetSeconds) {
  const db = new Database(file);
  try {
    db.function('mergexo_redate', { deterministic: true }, (value) =>
      typeof value === 'string' ? shiftTimestamps(value, offsetSeconds) : value,
    );
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all();
    let changed = 0;
    db.transaction(() => {
      for (const table of tables) {
        const columns = db.prepare(`PRAGMA table_info(${quote(table)})`).all();
        for (const { name } of columns) {
          const column = quote(name);
          changed += db
            .prepare(
              `UPDATE ${quote(table)} SET ${column} = mergexo_redate(${column}) ` +
                `WHERE typeof(${column}) = 'text' AND ${column} <> mergexo_redate(${column})`,
            )
            .run().changes;
        }
      }
    })();
    // One file, no -wal beside it: the copy then opens like a database MergeXO closed cleanly.
    db.pragma('wal_checkpoint(TRUNCATE)');
    return changed;
  } finally {
    db.close();
  }
}

function quote(identifier) {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** Seconds to add to the fixture's timestamps so that its pinned now becomes `nowMs`. */
export function redateOffsetSeconds(nowMs = Date.now(), pinnedNow = PINNED_NOW) {
  return Math.round((nowMs - Date.parse(pinnedNow)) / 1000);
}

/** A TOML basic string. */
function tomlString(text) {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Creates `<root>/workspace/mergexo.toml` → `<root>/base/state.db`, a copy of `test/fixtures/<fixture>.db`
 * re-dated to `nowMs` (unless `redate` is false). `root` is emptied first. Returns the paths and the offset.
 */
export function buildFixtureWorkspace({ root, fixture = 'small', redate = true, nowMs = Date.now() }) {
  rmSync(root, { recursive: true, force: true });
  const workspace = path.join(root, 'workspace');
  const baseDir = path.join(root, 'base');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(baseDir, { recursive: true });
  const source = path.join(FIXTURES_DIR, `${fixture}.db`);
  if (!existsSync(source)) throw new Error(`Unable to find the fixture ${source}.`);
  const db = path.join(baseDir, 'state.db');
  copyFileSync(source, db);
  const offsetSeconds = redate ? redateOffsetSeconds(nowMs) : 0;
  const changed = redate ? redateDatabase(db, offsetSeconds) : 0;
  writeFileSync(
    path.join(workspace, 'mergexo.toml'),
    `# Test workspace: MergeXO's base dir holds a copy of test/fixtures/${fixture}.db.\n` +
      `[runtime]\nbase_dir = ${tomlString(baseDir)}\n`,
  );
  return { root, workspace, baseDir, db, offsetSeconds, changed, fixtureNowMs: nowMs };
}

/** A workspace with no mergexo.toml and nothing else: the extension finds no database there. */
export function buildEmptyWorkspace({ root }) {
  rmSync(root, { recursive: true, force: true });
  const workspace = path.join(root, 'workspace');
  mkdirSync(workspace, { recursive: true });
  writeFileSync(path.join(workspace, 'README.txt'), 'A folder without MergeXO in it.\n');
  return { root, workspace };
}

/**
 * A workspace whose mergexo.toml names a base dir with no state.db in it: MergeXO configured but not
 * started yet.
 */
export function buildMissingDatabaseWorkspace({ root }) {
  rmSync(root, { recursive: true, force: true });
  const workspace = path.join(root, 'workspace');
  const baseDir = path.join(root, 'base');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(baseDir, { recursive: true });
  writeFileSync(path.join(workspace, 'mergexo.toml'), `[runtime]\nbase_dir = ${tomlString(baseDir)}\n`);
  return { root, workspace, baseDir, db: path.join(baseDir, 'state.db') };
}
