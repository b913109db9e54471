// Read-only access to a MergeXO state.db through one of two drivers with the same small surface:
// better-sqlite3 (native, fast) or Node's built-in node:sqlite (present in every VS Code extension
// host since 1.101, used when the native binding cannot load on the host's platform).
import { createRequire } from 'node:module';

export type DriverName = 'better-sqlite3' | 'node:sqlite';
export type DriverChoice = DriverName | 'auto';
export type SqlValue = string | number | bigint | null | Uint8Array;
export type SqlRow = Record<string, SqlValue>;

export interface Statement {
  all(...params: SqlValue[]): SqlRow[];
  get(...params: SqlValue[]): SqlRow | undefined;
}

export interface Connection {
  readonly driver: DriverName;
  readonly path: string;
  prepare(sql: string): Statement;
  /** Runs `fn` inside one read transaction so every query sees the same snapshot. */
  readSnapshot<T>(fn: () => T): T;
  close(): void;
}

export interface OpenOptions {
  driver?: DriverChoice;
  /** How long a query waits on a lock held by the writer before failing (ms). */
  busyTimeoutMs?: number;
  /** Called with every SQL text before it is prepared (tests assert that only reads are prepared). */
  onPrepare?: (sql: string) => void;
}

/** Why the database could not be opened; `kind` is for code, `message` for people. */
export class OpenError extends Error {
  constructor(
    readonly kind: 'missing' | 'not-a-file' | 'not-a-database' | 'cannot-open' | 'no-driver',
    message: string,
    readonly detail?: string,
    /** The driver's error, when there was one (its codes tell busy from damaged). */
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'OpenError';
  }
}

/**
 * A refresh must not hang the window: in WAL mode only a writer in exclusive locking mode (or WAL
 * recovery) keeps a reader out, and then failing fast and showing the last data as stale is better
 * than waiting. The writer is never slowed by this: readers do not block a WAL writer.
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 250;
const nodeRequire = createRequire(__filename);

type DriverFactory = (path: string, busyTimeoutMs: number) => RawDb;

interface RawStatement {
  all(...params: SqlValue[]): unknown[];
  get(...params: SqlValue[]): unknown;
}

interface RawDb {
  prepare(sql: string): RawStatement;
  exec(sql: string): void;
  close(): void;
}

function betterSqliteFactory(): DriverFactory {
  // Resolved at run time so the bundle keeps the native module external.
  const Database = nodeRequire('better-sqlite3') as typeof import('better-sqlite3');
  return (path, busyTimeoutMs) => {
    const db = new Database(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
    db.defaultSafeIntegers(true);
    return {
      prepare: (sql) => db.prepare(sql) as unknown as RawStatement,
      exec: (sql) => void db.exec(sql),
      close: () => db.close(),
    };
  };
}

function nodeSqliteFactory(): DriverFactory {
  const sqlite = nodeRequire('node:sqlite') as typeof import('node:sqlite');
  return (path, busyTimeoutMs) => {
    const db = new sqlite.DatabaseSync(path, { readOnly: true, open: true });
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    return {
      prepare: (sql) => {
        const statement = db.prepare(sql);
        statement.setReadBigInts(true);
        return statement as unknown as RawStatement;
      },
      exec: (sql) => db.exec(sql),
      close: () => db.close(),
    };
  };
}

const factories: Record<DriverName, () => DriverFactory> = {
  'better-sqlite3': betterSqliteFactory,
  'node:sqlite': nodeSqliteFactory,
};

/** Loads a driver, trying better-sqlite3 first for `auto`. Returns the reasons of drivers that failed. */
export function loadDriver(choice: DriverChoice = 'auto'): {
  name: DriverName;
  factory: DriverFactory;
  failures: string[];
} {
  const order: DriverName[] = choice === 'auto' ? ['better-sqlite3', 'node:sqlite'] : [choice];
  const failures: string[] = [];
  for (const name of order) {
    try {
      return { name, factory: factories[name](), failures };
    } catch (error) {
      failures.push(`${name}: ${errorText(error)}`);
    }
  }
  throw new OpenError('no-driver', 'No SQLite driver could be loaded.', failures.join('; '));
}

// Made once: this runs for every cell of every row read.
const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE_BIGINT = BigInt(Number.MIN_SAFE_INTEGER);

/**
 * Integers come back as bigint (so values past 2^53 stay exact); everything that fits is turned
 * back into a plain number so the rest of the code can do arithmetic.
 */
function normalizeRow(raw: unknown): SqlRow {
  const row = raw as Record<string, SqlValue>;
  for (const key in row) {
    const value = row[key];
    if (typeof value === 'bigint' && value <= MAX_SAFE_BIGINT && value >= MIN_SAFE_BIGINT) {
      row[key] = Number(value);
    }
  }
  return row;
}

export function openReadOnly(path: string, options: OpenOptions = {}): Connection {
  const { name, factory } = loadDriver(options.driver ?? 'auto');
  let raw: RawDb;
  try {
    raw = factory(path, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
  } catch (error) {
    throw new OpenError('cannot-open', `Unable to open ${path}.`, errorText(error), error);
  }
  const onPrepare = options.onPrepare;
  const cache = new Map<string, Statement>();
  let inSnapshot = false;
  const connection: Connection = {
    driver: name,
    path,
    prepare(sql) {
      const cached = cache.get(sql);
      if (cached) return cached;
      onPrepare?.(sql);
      const statement = raw.prepare(sql);
      const wrapped: Statement = {
        all: (...params) => statement.all(...params).map(normalizeRow),
        get: (...params) => {
          const row = statement.get(...params);
          return row === undefined ? undefined : normalizeRow(row);
        },
      };
      cache.set(sql, wrapped);
      return wrapped;
    },
    readSnapshot(fn) {
      if (inSnapshot) return fn();
      // A deferred BEGIN on a read-only connection takes a read snapshot at the first SELECT and
      // releases it at COMMIT, so the writer can recycle its WAL between refreshes.
      onPrepare?.('BEGIN');
      raw.exec('BEGIN');
      inSnapshot = true;
      try {
        return fn();
      } finally {
        inSnapshot = false;
        onPrepare?.('COMMIT');
        raw.exec('COMMIT');
      }
    },
    close() {
      cache.clear();
      raw.close();
    },
  };
  return connection;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code)
      ? `${error.message} (${code})`
      : error.message;
  }
  return String(error);
}

/** SQLite's primary result codes that callers tell apart (sqlite.org/rescode.html). */
export const SQLITE_CODES = {
  BUSY: 5,
  LOCKED: 6,
  READONLY: 8,
  IOERR: 10,
  CORRUPT: 11,
  CANTOPEN: 14,
  NOTADB: 26,
} as const;

const CODE_BY_NAME: Record<string, number> = Object.fromEntries(
  Object.entries(SQLITE_CODES).map(([name, code]) => [`SQLITE_${name}`, code]),
);

/**
 * The primary SQLite result code behind a driver error, from its codes only (never its message):
 * better-sqlite3 sets `code` to the name (`SQLITE_BUSY`, `SQLITE_BUSY_RECOVERY`, …); node:sqlite
 * sets `errcode` to the extended number, whose low byte is the primary code.
 */
export function sqliteResultCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  if (typeof errcode === 'number' && Number.isInteger(errcode)) return errcode & 0xff;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  const primary = /^SQLITE_[A-Z]+/.exec(code)?.[0];
  return primary === undefined ? undefined : CODE_BY_NAME[primary];
}

/**
 * True when a read (or an open: an {@link OpenError} caused by it) failed only because another
 * connection holds a lock (SQLITE_BUSY or SQLITE_LOCKED): the data shown is stale, not wrong, and
 * the next refresh after the writer lets go succeeds.
 */
export function isBusyError(error: unknown): boolean {
  const code = sqliteResultCode(error instanceof OpenError ? error.cause : error);
  return code === SQLITE_CODES.BUSY || code === SQLITE_CODES.LOCKED;
}

/** True when SQLite found the file damaged (SQLITE_CORRUPT) or not a database at all (SQLITE_NOTADB). */
export function isCorruptError(error: unknown): boolean {
  const code = sqliteResultCode(error instanceof OpenError ? error.cause : error);
  return code === SQLITE_CODES.CORRUPT || code === SQLITE_CODES.NOTADB;
}

/** An {@link OpenError}'s message, with the driver's detail only when the message does not hold it yet. */
export function openErrorText(error: OpenError): string {
  const detail = error.detail && !error.message.includes(error.detail) ? ` (${error.detail})` : '';
  return `${error.message}${detail}`;
}

/**
 * One sentence for people about a read that failed, by SQLite's code. An {@link OpenError} or an
 * error that already says "Unable to …" keeps its own words: no "Unable to read …: Unable to read …".
 */
export function readErrorMessage(error: unknown): string {
  if (isBusyError(error)) {
    return 'Unable to read the MergeXO database right now: another process holds a lock on it.';
  }
  if (error instanceof OpenError) return openErrorText(error);
  if (sqliteResultCode(error) === SQLITE_CODES.NOTADB) {
    // Typically the file was replaced, while open, by one that is not a database at all.
    return 'Unable to read the MergeXO database: the file is not (or no longer) an SQLite database.';
  }
  if (isCorruptError(error)) {
    return 'Unable to read the MergeXO database: it is damaged (SQLite found a malformed page).';
  }
  const text = errorText(error);
  return /^Unable to /.test(text) ? text : `Unable to read the MergeXO database: ${text}`;
}
