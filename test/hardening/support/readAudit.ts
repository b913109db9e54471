// What "never writes" means in statements: the narrow list of SQL the extension may hand to SQLite,
// and a recorder hooked into both drivers below our own code, so a statement that bypassed the data
// layer's `onPrepare` hook would be seen too.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';

/**
 * Why `sql` is not an allowed read, or `undefined` when it is one:
 * - `SELECT …` or `WITH … SELECT …` (one statement, no write keyword outside string literals);
 *   table-valued pragma functions such as `pragma_table_info(…)` are SELECTs, and SQLite only
 *   offers them for pragmas that have no side effects;
 * - `PRAGMA data_version`, `PRAGMA table_info(<name>)`, `PRAGMA busy_timeout = <n>`;
 * - exactly `BEGIN` (deferred: a read snapshot) and `COMMIT`.
 */
export function whyNotARead(sql: string): string | undefined {
  const text = sql.trim();
  if (text === 'BEGIN' || text === 'COMMIT') return undefined;
  if (/^PRAGMA\s+(data_version|table_info\(\s*'?\w+'?\s*\)|busy_timeout\s*=\s*\d+)\s*;?$/i.test(text)) {
    return undefined;
  }
  const code = text
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '""')
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ');
  if (/;\s*\S/.test(code)) return 'more than one statement';
  if (!/^(SELECT|WITH)\b/i.test(code)) return 'not a SELECT';
  const write = WRITE_WORDS.exec(code);
  return write ? `contains ${write[0].toUpperCase()}` : undefined;
}

const WRITE_WORDS = new RegExp(
  String.raw`\b(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|ATTACH|DETACH|VACUUM|REINDEX|ANALYZE|PRAGMA|BEGIN|` +
    String.raw`COMMIT|ROLLBACK|SAVEPOINT|RELEASE|LOAD_EXTENSION|WRITEFILE)\b|\bREPLACE\s+INTO\b`,
  'i',
);

export interface DriverCall {
  driver: 'better-sqlite3' | 'node:sqlite';
  method: string;
  sql: string;
  /** better-sqlite3 only: SQLite's own sqlite3_stmt_readonly() for a prepared statement. */
  readonly?: boolean;
  /** better-sqlite3 only: whether the connection itself was opened read-only. */
  connectionReadonly?: boolean;
}

/** Wraps the SQL entry points of both drivers (prepare, exec, pragma), recording every call until `restore()`. */
export function recordDriverCalls(): { calls: DriverCall[]; restore: () => void } {
  const calls: DriverCall[] = [];
  const restores: Array<() => void> = [];
  const wrap = (
    proto: Record<string, unknown>,
    method: string,
    driver: DriverCall['driver'],
    toSql: (args: unknown[]) => string,
  ) => {
    const original = proto[method] as (...args: unknown[]) => unknown;
    proto[method] = function (this: unknown, ...args: unknown[]) {
      const result = original.apply(this, args);
      const call: DriverCall = { driver, method, sql: toSql(args) };
      if (driver === 'better-sqlite3') {
        call.connectionReadonly = (this as { readonly: boolean }).readonly;
        if (method === 'prepare') call.readonly = (result as { readonly: boolean }).readonly;
      }
      calls.push(call);
      return result;
    };
    restores.push(() => {
      proto[method] = original;
    });
  };
  const better = Database.prototype as unknown as Record<string, unknown>;
  wrap(better, 'prepare', 'better-sqlite3', (args) => String(args[0]));
  wrap(better, 'exec', 'better-sqlite3', (args) => String(args[0]));
  wrap(better, 'pragma', 'better-sqlite3', (args) => `PRAGMA ${String(args[0])}`);
  const node = DatabaseSync.prototype as unknown as Record<string, unknown>;
  wrap(node, 'prepare', 'node:sqlite', (args) => String(args[0]));
  wrap(node, 'exec', 'node:sqlite', (args) => String(args[0]));
  return {
    calls,
    restore: () => {
      for (const restore of restores.splice(0)) restore();
    },
  };
}

/** SHA-256 of a file, or `absent`. */
export function fileHash(path: string): string {
  return existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'absent';
}
