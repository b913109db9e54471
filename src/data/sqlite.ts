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
  ) {
    super(message);
    this.name = 'OpenError';
  }
}

const DEFAULT_BUSY_TIMEOUT_MS = 2000;
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

/**
 * Integers come back as bigint (so values past 2^53 stay exact); everything that fits is turned
 * back into a plain number so the rest of the code can do arithmetic.
 */
function normalizeRow(raw: unknown): SqlRow {
  const row = raw as Record<string, SqlValue>;
  for (const key in row) {
    const value = row[key];
    if (typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER)) {
      if (value >= BigInt(Number.MIN_SAFE_INTEGER)) row[key] = Number(value);
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
    throw new OpenError('cannot-open', `Unable to open ${path}.`, errorText(error));
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
