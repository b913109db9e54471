// Where is state.db? The same rules serve the extension and the CLI: an explicit path wins, then a
// `mergexo.toml` in a workspace folder (`[runtime] base_dir`, `~` expanded, plus `state.db`), then
// MergeXO's default base dir when it holds a database.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { WINDOWS, type MetricsWindow } from './types';

export const CONFIG_FILE_NAME = 'mergexo.toml';
export const DEFAULT_BASE_DIR = '~/.local/share/mergexo';

/** `[runtime]` keys a dashboard honours, with MergeXO's defaults. */
export interface RuntimeSettings {
  refreshSeconds: number;
  defaultWindow: MetricsWindow;
  rowLimit: number;
  historyRetentionDays: number;
}

export const DEFAULT_RUNTIME_SETTINGS: RuntimeSettings = {
  refreshSeconds: 2,
  defaultWindow: '24h',
  rowLimit: 200,
  historyRetentionDays: 90,
};

export interface DatabaseCandidate {
  dbPath: string;
  baseDir: string;
  source: 'setting' | 'config' | 'default';
  configPath?: string;
  runtime: RuntimeSettings;
  /** Repositories declared in the config (`owner/name`), in file order. */
  configuredRepos: string[];
  /** `[runtime]` values that were not usable and gave way to MergeXO's defaults, in words. */
  warnings?: string[];
}

export interface DiscoveryProblem {
  configPath: string;
  message: string;
}

export interface DiscoveryResult {
  candidates: DatabaseCandidate[];
  problems: DiscoveryProblem[];
}

export interface DiscoveryInput {
  /** An explicit database path (the `mergexo.stateDbPath` setting or the CLI's `--db`). */
  explicitPath?: string | undefined;
  /** Folders to look in for `mergexo.toml`, in order. */
  folders: string[];
  home?: string;
}

export function expandHome(path: string, home = homedir()): string {
  if (path === '~') return home;
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(home, path.slice(2));
  return path;
}

function tableOf(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function readRuntime(
  runtime: Record<string, unknown>,
  configPath: string,
): { settings: RuntimeSettings; warnings: string[] } {
  const warnings: string[] = [];
  const ignored = (key: string, value: unknown, wanted: string, fallback: unknown) =>
    warnings.push(
      `${configPath}: [runtime] ${key} = ${JSON.stringify(value) ?? String(value)} is not ${wanted}; ` +
        `using ${JSON.stringify(fallback)}.`,
    );
  const positive = (key: string, fallback: number) => {
    const value = runtime[key];
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
    ignored(key, value, 'a positive number', fallback);
    return fallback;
  };
  const window = runtime.observability_default_window;
  let defaultWindow = DEFAULT_RUNTIME_SETTINGS.defaultWindow;
  if (WINDOWS.includes(window as MetricsWindow)) defaultWindow = window as MetricsWindow;
  else if (window !== undefined) {
    ignored('observability_default_window', window, `one of ${WINDOWS.join(', ')}`, defaultWindow);
  }
  const settings: RuntimeSettings = {
    refreshSeconds: positive('observability_refresh_seconds', DEFAULT_RUNTIME_SETTINGS.refreshSeconds),
    defaultWindow,
    rowLimit: positive('observability_row_limit', DEFAULT_RUNTIME_SETTINGS.rowLimit),
    historyRetentionDays: positive(
      'observability_history_retention_days',
      DEFAULT_RUNTIME_SETTINGS.historyRetentionDays,
    ),
  };
  return { settings, warnings };
}

/** Why a file could not be read, in words (the code stays for searching). */
function readFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'EISDIR':
      return 'it is a directory, not a file (EISDIR)';
    case 'ENOENT':
      return 'it does not exist (ENOENT)';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** `a number`, `an array`, `a table`: what a TOML value is, for "must be a string, not …". */
function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (value !== null && typeof value === 'object') return 'a table';
  return typeof value === 'number' || typeof value === 'bigint' ? 'a number' : `a ${typeof value}`;
}

/** Reads one `mergexo.toml`; throws an Error whose message names the file and says what is wrong. */
export function readConfig(configPath: string, home = homedir()): DatabaseCandidate {
  let source: string;
  try {
    source = readFileSync(configPath, 'utf8');
  } catch (error) {
    throw new Error(`Unable to read ${configPath}: ${readFailure(error)}.`);
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = parseToml(source) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(`${configPath} is not valid TOML: ${reason}`);
  }
  const runtime = tableOf(parsed.runtime);
  const baseDirValue = runtime?.base_dir;
  if (baseDirValue !== undefined && typeof baseDirValue !== 'string') {
    throw new Error(
      `${configPath}: [runtime] base_dir must be a string (the folder that holds state.db), ` +
        `not ${describeValue(baseDirValue)}.`,
    );
  }
  if (baseDirValue === undefined || baseDirValue.trim() === '') {
    throw new Error(`${configPath} has no [runtime] base_dir, so the state database cannot be located.`);
  }
  // MergeXO resolves a relative base_dir against the directory it runs in, usually the config's.
  const expanded = expandHome(baseDirValue.trim(), home);
  const baseDir = isAbsolute(expanded) ? expanded : resolve(dirname(configPath), expanded);
  if (statSync(baseDir, { throwIfNoEntry: false })?.isFile()) {
    throw new Error(
      `${configPath}: [runtime] base_dir ${baseDir} is a file; it must be MergeXO's base directory ` +
        '(the folder that holds state.db).',
    );
  }
  const repos = tableOf(parsed.repo) ?? {};
  const configuredRepos = Object.entries(repos).flatMap(([id, value]) => {
    const repo = tableOf(value);
    const owner = repo?.owner;
    if (typeof owner !== 'string') return [];
    const name = typeof repo?.name === 'string' ? repo.name : id;
    return [`${owner}/${name}`];
  });
  const { settings, warnings } = readRuntime(runtime ?? {}, configPath);
  return {
    dbPath: join(baseDir, 'state.db'),
    baseDir,
    source: 'config',
    configPath,
    runtime: settings,
    configuredRepos,
    ...(warnings.length ? { warnings } : {}),
  };
}

export function discoverDatabases(input: DiscoveryInput): DiscoveryResult {
  const home = input.home ?? homedir();
  const candidates: DatabaseCandidate[] = [];
  const problems: DiscoveryProblem[] = [];
  if (input.explicitPath && input.explicitPath.trim() !== '') {
    const dbPath = resolve(expandHome(input.explicitPath.trim(), home));
    candidates.push({
      dbPath,
      baseDir: dirname(dbPath),
      source: 'setting',
      runtime: { ...DEFAULT_RUNTIME_SETTINGS },
      configuredRepos: [],
    });
    return { candidates, problems };
  }
  for (const folder of input.folders) {
    const configPath = join(folder, CONFIG_FILE_NAME);
    if (!existsSync(configPath)) continue;
    try {
      candidates.push(readConfig(configPath, home));
    } catch (error) {
      problems.push({ configPath, message: error instanceof Error ? error.message : String(error) });
    }
  }
  if (candidates.length === 0) {
    const baseDir = expandHome(DEFAULT_BASE_DIR, home);
    const dbPath = join(baseDir, 'state.db');
    if (isFile(dbPath)) {
      candidates.push({
        dbPath,
        baseDir,
        source: 'default',
        runtime: { ...DEFAULT_RUNTIME_SETTINGS },
        configuredRepos: [],
      });
    }
  }
  return { candidates, problems };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
