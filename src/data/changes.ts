// Cheap change detection for a state.db that MergeXO keeps writing. One check costs two stat calls
// and one `PRAGMA data_version` (microseconds when nothing changed), so it can run every poll and
// after every file event, and the views re-read the database only when it says so.
//
// - `PRAGMA data_version` is the ground truth for data: it changes whenever another connection
//   committed, even when the file's size and mtime look the same (mtime has coarse ticks, and a reset
//   WAL is overwritten at the same size). It costs a read transaction that ends with the statement.
// - The stat of state.db tells us the file was replaced (new inode: MergeXO re-initialised, the base
//   dir moved) or deleted, which data_version cannot see: our connection keeps reading the old file.
// - The -wal's inode must stay the one our connection uses; a new -wal beside the same state.db means
//   someone deleted the side files under us, and only a new connection follows that.
// - A checkpoint that resets the WAL (TRUNCATE, or RESTART followed by a write) also moves
//   data_version although nothing was committed. When data_version moves, the WAL-index header at the
//   start of `-shm` (SQLite's documented file format, walformat.html) tells the two apart: its commit
//   counter `iChange` moves on every commit, while a reset only changes the salts. Only that exact
//   pattern is filtered out; anything unclear counts as a change.
// - The `-shm`'s size and mtime are ignored: readers touch it too.
import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { endianness } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { MergexoDatabase } from './database';
import { OpenError, openErrorText, readErrorMessage } from './sqlite';

export type ChangeKind = 'unchanged' | 'changed' | 'reopened' | 'missing' | 'error';

export interface ChangeCheck {
  /**
   * - `unchanged`: nothing was committed since the last check;
   * - `changed`: data was committed (re-read it); also the first good check after an `error`;
   * - `reopened`: a new connection is open (the first open, or the file was replaced or re-created):
   *   drop everything read from the old one and re-read;
   * - `missing`: there is no file at the path (the connection, if any, was closed);
   * - `error`: the file is there but cannot be opened or asked (see `error` and `cause`).
   */
  kind: ChangeKind;
  /** For `missing` and `error`: the previous check reported the same, so the caller may skip it. */
  repeat: boolean;
  /** How long the check took, in milliseconds. */
  durationMs: number;
  /** The reason, fit for a user, when `kind` is `error` or `missing`. */
  error?: string;
  /** The thrown value behind `error` (an {@link OpenError} when opening failed), for typed handling. */
  cause?: unknown;
  /** `PRAGMA data_version` on the current connection; null without one. */
  dataVersion: number | null;
  /** Latest mtime of state.db and state.db-wal (epoch ms): when MergeXO last wrote; null when missing. */
  lastWriteMs: number | null;
}

export interface ChangeDetectorOptions {
  /**
   * While a file that failed to open stays the same (same stats), try again this often (ms).
   * A change to the file or its WAL retries at once. Default 2000.
   */
  retryMs?: number;
  /** Wall clock for retry timing (tests pass a fake one). */
  now?: () => number;
}

type Outcome = Omit<ChangeCheck, 'repeat' | 'durationMs'>;

interface FileId {
  dev: number;
  ino: number;
}

const DEFAULT_RETRY_MS = 2000;

export class ChangeDetector {
  private db: MergexoDatabase | undefined;
  /** The state.db and -wal our connection reads (the -wal may appear after the open). */
  private dbId: FileId | undefined;
  private walId: FileId | undefined;
  private lastVersion: number | null = null;
  /** The WAL-index header seen with `lastVersion`, to tell a checkpoint from a commit. */
  private lastHeader: WalIndexHeader | null = null;
  /** A descriptor of `-shm` held for the connection's lifetime (see openShm). */
  private shm: number | undefined;
  /** data_version moves that were only WAL resets (checkpoints), for diagnostics and tests. */
  checkpointsIgnored = 0;
  /** After an error the next good check reports `changed`: a refresh may have failed meanwhile. */
  private recovering = false;
  private lastProblem: { kind: 'missing' | 'error'; message: string } | undefined;
  /** The last failed open, replayed until the file changes or retryMs passes. */
  private failed: { sig: string; atMs: number; outcome: Outcome } | undefined;
  private readonly retryMs: number;
  private readonly now: () => number;

  constructor(
    readonly path: string,
    private readonly openDatabase: (path: string) => MergexoDatabase,
    options: ChangeDetectorOptions = {},
  ) {
    this.retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
    this.now = options.now ?? Date.now;
  }

  /** The open connection; replaced on `reopened`, undefined while `missing` or failing to open. */
  get database(): MergexoDatabase | undefined {
    return this.db;
  }

  /** What happened since the last call. Never throws. */
  check(): ChangeCheck {
    const started = performance.now();
    let result: Outcome;
    try {
      result = this.inspect();
    } catch (error) {
      // stat itself failed (a folder on the path lost its permissions, a network mount went away).
      this.closeConnection();
      result = { kind: 'error', error: describe(error), cause: error, dataVersion: null, lastWriteMs: null };
    }
    const problem = result.kind === 'missing' || result.kind === 'error' ? result : undefined;
    const repeat =
      problem !== undefined &&
      this.lastProblem?.kind === problem.kind &&
      this.lastProblem.message === (problem.error ?? '');
    this.lastProblem = problem
      ? { kind: problem.kind as 'missing' | 'error', message: problem.error ?? '' }
      : undefined;
    return { ...result, repeat, durationMs: performance.now() - started };
  }

  /** Closes the connection; the next check opens a new one and reports `reopened`. */
  close(): void {
    this.closeConnection();
    this.failed = undefined;
  }

  private inspect(): Outcome {
    const dbStat = statSync(this.path, { throwIfNoEntry: false });
    if (!dbStat) return this.missing();
    const walStat = statSync(`${this.path}-wal`, { throwIfNoEntry: false });
    const lastWriteMs = Math.max(dbStat.mtimeMs, walStat?.mtimeMs ?? 0);

    if (
      this.db &&
      (!sameFile(this.dbId, dbStat) || (walStat && this.walId && !sameFile(this.walId, walStat)))
    ) {
      this.closeConnection();
    }
    if (!this.db) return this.open(dbStat, walStat, lastWriteMs);
    if (walStat && !this.walId) this.walId = idOf(walStat);

    let version: number;
    try {
      version = this.db.dataVersion();
    } catch (error) {
      this.recovering = true;
      return {
        kind: 'error',
        error: describe(error),
        cause: error,
        dataVersion: this.lastVersion,
        lastWriteMs,
      };
    }
    if (version === this.lastVersion && !this.recovering) {
      return { kind: 'unchanged', dataVersion: version, lastWriteMs };
    }
    // Read after data_version: any commit that moved it has already updated this header.
    const header = this.shm === undefined ? null : readWalIndexHeaderAt(this.shm);
    const onlyReset = !this.recovering && isWalResetOnly(this.lastHeader, header);
    this.lastVersion = version;
    this.lastHeader = header;
    this.recovering = false;
    if (onlyReset) this.checkpointsIgnored++;
    return { kind: onlyReset ? 'unchanged' : 'changed', dataVersion: version, lastWriteMs };
  }

  private open(dbStat: Stats, walStat: Stats | undefined, lastWriteMs: number): Outcome {
    // A file that failed to open is tried again when it or its WAL changes, or after retryMs.
    const sig = `${signature(dbStat)}|${walStat ? signature(walStat) : '-'}`;
    if (this.failed && this.failed.sig === sig && this.now() - this.failed.atMs < this.retryMs) {
      return { ...this.failed.outcome, lastWriteMs };
    }
    const fail = (outcome: Outcome): Outcome => {
      this.failed = { sig, atMs: this.now(), outcome };
      return outcome;
    };
    let expected = idOf(dbStat);
    for (let attempt = 0; attempt < 3; attempt++) {
      let db: MergexoDatabase;
      try {
        db = this.openDatabase(this.path);
      } catch (error) {
        if (error instanceof OpenError && error.kind === 'missing') return this.missing();
        return fail({ kind: 'error', error: describe(error), cause: error, dataVersion: null, lastWriteMs });
      }
      // The file may have been swapped while we opened it; only an unchanged inode tells us which
      // one the connection holds, so otherwise open again.
      const after = statSync(this.path, { throwIfNoEntry: false });
      if (!after) {
        db.close();
        return this.missing();
      }
      if (!sameFile(expected, after)) {
        db.close();
        expected = idOf(after);
        continue;
      }
      let version: number;
      try {
        version = db.dataVersion();
      } catch (error) {
        db.close();
        return fail({ kind: 'error', error: describe(error), cause: error, dataVersion: null, lastWriteMs });
      }
      const wal = statSync(`${this.path}-wal`, { throwIfNoEntry: false });
      this.db = db;
      this.dbId = expected;
      this.walId = wal ? idOf(wal) : undefined;
      this.lastVersion = version;
      this.shm = openShm(`${this.path}-shm`);
      this.lastHeader = this.shm === undefined ? null : readWalIndexHeaderAt(this.shm);
      this.recovering = false;
      this.failed = undefined;
      return { kind: 'reopened', dataVersion: version, lastWriteMs };
    }
    return fail({
      kind: 'error',
      error: `Unable to open ${this.path}: it was replaced again while being opened.`,
      dataVersion: null,
      lastWriteMs,
    });
  }

  private missing(): Outcome {
    this.closeConnection();
    this.failed = undefined;
    return {
      kind: 'missing',
      error: `Unable to find the MergeXO database: ${this.path} does not exist.`,
      dataVersion: null,
      lastWriteMs: null,
    };
  }

  private closeConnection(): void {
    if (this.db) {
      try {
        this.db.close();
      } catch {
        // Closing a connection to a deleted file can fail; there is nothing left to release.
      }
    }
    // Only after SQLite has closed its own handles: closing ours earlier would drop its locks.
    if (this.shm !== undefined) closeSync(this.shm);
    this.shm = undefined;
    this.db = undefined;
    this.dbId = undefined;
    this.walId = undefined;
    this.lastVersion = null;
    this.lastHeader = null;
  }
}

function idOf(stats: Stats): FileId {
  return { dev: stats.dev, ino: stats.ino };
}

function sameFile(id: FileId | undefined, stats: Stats): boolean {
  return id !== undefined && id.dev === stats.dev && id.ino === stats.ino;
}

/** Size, mtime and inode: enough to see that a file changed or was swapped. */
function signature(stats: Stats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}

function describe(error: unknown): string {
  return error instanceof OpenError ? openErrorText(error) : readErrorMessage(error);
}

/** The fields of SQLite's WAL-index header that matter here (walformat.html, section 2.1). */
export interface WalIndexHeader {
  /** Incremented by every committed transaction. */
  change: number;
  /** The WAL salts: both change whenever the WAL restarts from its beginning. */
  salt1: number;
  salt2: number;
}

/** The WAL-index format version SQLite has written since 3.7.0. */
const WALINDEX_VERSION = 3007000;
const HEADER_BYTES = 48;

/**
 * Opens `-shm` for reading once per connection. POSIX drops every lock a process holds on a file
 * when the process closes ANY descriptor of it, so opening and closing `-shm` on each poll would
 * silently release the read locks SQLite holds there (sqlite.org/howtocorrupt.html, 2.2). The
 * descriptor is closed only after the connection is.
 */
function openShm(shmPath: string): number | undefined {
  try {
    return openSync(shmPath, 'r');
  } catch {
    return undefined;
  }
}

/**
 * Reads the WAL-index header (two copies of 48 bytes in the machine's byte order, which a writer
 * updates one after the other). Null when the file is short, of another version, not initialised,
 * or caught between the two copies: the caller then treats the change as real.
 */
export function readWalIndexHeaderAt(descriptor: number): WalIndexHeader | null {
  const buffer = Buffer.alloc(HEADER_BYTES * 2);
  try {
    if (readSync(descriptor, buffer, 0, buffer.length, 0) < buffer.length) return null;
  } catch {
    return null;
  }
  if (!buffer.subarray(0, HEADER_BYTES).equals(buffer.subarray(HEADER_BYTES))) return null;
  const u32 = (offset: number) =>
    endianness() === 'LE' ? buffer.readUInt32LE(offset) : buffer.readUInt32BE(offset);
  if (u32(0) !== WALINDEX_VERSION || buffer[12] !== 1) return null;
  return { change: u32(8), salt1: u32(32), salt2: u32(36) };
}

/** For tests and tools that hold no SQLite connection to the file (see {@link openShm} for why). */
export function readWalIndexHeader(shmPath: string): WalIndexHeader | null {
  const descriptor = openShm(shmPath);
  if (descriptor === undefined) return null;
  try {
    return readWalIndexHeaderAt(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

/** True only when no commit happened and the WAL was restarted: a checkpoint, not data. */
export function isWalResetOnly(before: WalIndexHeader | null, after: WalIndexHeader | null): boolean {
  return (
    before !== null &&
    after !== null &&
    before.change === after.change &&
    (before.salt1 !== after.salt1 || before.salt2 !== after.salt2)
  );
}
