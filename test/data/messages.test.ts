// The exact words of the error messages people read: one "Unable to …" per message (never two in a
// row), a missing file said to be missing, and schema gaps without nested parentheses.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChangeDetector } from '../../src/data/changes';
import { checkDatabaseFile, MergexoDatabase } from '../../src/data/database';
import { missingColumn, missingTable } from '../../src/data/schema';
import { OpenError, openErrorText, readErrorMessage } from '../../src/data/sqlite';

const root = mkdtempSync(join(tmpdir(), 'mergexo-messages-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A driver error as better-sqlite3 throws it. */
function sqliteError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('readErrorMessage', () => {
  it('words a failed read by its SQLite code', () => {
    expect(readErrorMessage(sqliteError('database is locked', 'SQLITE_BUSY'))).toBe(
      'Unable to read the MergeXO database right now: another process holds a lock on it.',
    );
    expect(readErrorMessage(sqliteError('database disk image is malformed', 'SQLITE_CORRUPT'))).toBe(
      'Unable to read the MergeXO database: it is damaged (SQLite found a malformed page).',
    );
    expect(readErrorMessage(sqliteError('file is not a database', 'SQLITE_NOTADB'))).toBe(
      'Unable to read the MergeXO database: the file is not (or no longer) an SQLite database.',
    );
    expect(readErrorMessage(sqliteError('disk I/O error', 'SQLITE_IOERR_READ'))).toBe(
      'Unable to read the MergeXO database: disk I/O error (SQLITE_IOERR_READ)',
    );
  });

  it('never puts "Unable to read …" in front of a message that already says it', () => {
    expect(
      readErrorMessage(new Error('Unable to read /srv/mx/state.db: it is not an SQLite database.')),
    ).toBe('Unable to read /srv/mx/state.db: it is not an SQLite database.');
    const missing = new OpenError(
      'missing',
      'Unable to find the MergeXO database: /x/state.db does not exist.',
    );
    expect(readErrorMessage(missing)).toBe(
      'Unable to find the MergeXO database: /x/state.db does not exist.',
    );
  });
});

describe('openErrorText', () => {
  it('adds the driver detail once, and only when the message lacks it', () => {
    const repeated = new OpenError(
      'cannot-open',
      'Unable to read /x/state.db: unable to open database file (SQLITE_CANTOPEN)',
      'unable to open database file (SQLITE_CANTOPEN)',
    );
    expect(openErrorText(repeated)).toBe(
      'Unable to read /x/state.db: unable to open database file (SQLITE_CANTOPEN)',
    );
    const short = new OpenError('cannot-open', 'Unable to open /x/state.db.', 'permission denied');
    expect(openErrorText(short)).toBe('Unable to open /x/state.db. (permission denied)');
  });
});

describe('a missing database file', () => {
  const path = join(root, 'nowhere', 'state.db');
  const expected = `Unable to find the MergeXO database: ${path} does not exist.`;

  it('is said not to exist, with its path, when opening', () => {
    expect(() => checkDatabaseFile(path)).toThrow(expected);
    expect(() => MergexoDatabase.open(path)).toThrow(expected);
  });

  it('is said not to exist by the change detector, with nothing in front', () => {
    const detector = new ChangeDetector(path, (file) => MergexoDatabase.open(file));
    expect(detector.check()).toMatchObject({ kind: 'missing', error: expected });
  });

  it('reads as one sentence when the opener fails with a repeated detail', () => {
    const detector = new ChangeDetector(join(root, 'state.db'), () => {
      throw new OpenError('cannot-open', 'Unable to read x: boom (EIO)', 'boom (EIO)');
    });
    // Not a file yet: missing. The opener's wording shows once the file exists (see changes.test.ts).
    expect(detector.check().error).toBe(
      `Unable to find the MergeXO database: ${join(root, 'state.db')} does not exist.`,
    );
  });
});

describe('schema gaps', () => {
  it('read cleanly, without parentheses inside parentheses', () => {
    expect(missingTable('agent_run_history').message).toBe(
      'This MergeXO database has no agent_run_history table (run history, added in a later MergeXO); ' +
        'upgrade MergeXO and restart it to add it.',
    );
    expect(missingTable('roadmap_state').message).toBe(
      'This MergeXO database has no roadmap_state table (roadmaps); upgrade MergeXO and restart it to add it.',
    );
    expect(missingTable('some_table').message).toBe(
      'This MergeXO database has no some_table table; upgrade MergeXO and restart it to add it.',
    );
    expect(missingColumn('issue_runs', 'github_state').message).toBe(
      'This MergeXO database has no issue_runs.github_state column; upgrade MergeXO and restart it to add it.',
    );
    for (const table of ['agent_run_history', 'pr_status_history', 'issue_takeover_state', 'roadmap_nodes']) {
      expect(missingTable(table).message).not.toMatch(/\([^)]*\(/);
    }
  });
});
