// mergexo-obs: the extension's data layer on the command line, so every figure the views show can be
// checked outside VS Code. `--json` prints exactly what MergeXO's dashboard data holds for the same
// section (same field names, Python's JSON layout), so outputs can be diffed.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { MergexoDatabase } from '../data/database';
import { discoverDatabases } from '../data/discovery';
import { toPythonJson } from '../data/pythonJson';
import { isBusyError, OpenError, openErrorText, readErrorMessage, type DriverChoice } from '../data/sqlite';
import { displaySafe } from '../data/text';
import { parseTimestamp } from '../data/timestamps';
import { WINDOWS, type Figure, type Int, type MetricsWindow, type QueryScope } from '../data/types';
import { renderPartialOverview, renderSection, type Section } from './render';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
}

interface GlobalOptions {
  db?: string;
  repo?: string;
  window?: MetricsWindow;
  limit?: number;
  offset?: number;
  now?: number;
  json?: boolean;
  driver: DriverChoice;
}

/** Exit codes: 0 done, 1 the database cannot be read, 2 bad arguments, 3 the file lacks what was asked. */
export const EXIT = { ok: 0, unreadable: 1, usage: 2, schemaGap: 3 } as const;

class CliFailure extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

function parseWhole(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number.`);
    const number = Number(value);
    if (!Number.isSafeInteger(number)) throw new InvalidArgumentError(`${name} is too large.`);
    return number;
  };
}

function parseNow(value: string): number {
  const ms = parseTimestamp(value);
  // SQLite (and so the data layer) rolls 2026-02-30 over to March 2; a clock the user pins must be a real date.
  if (ms === null || !isCalendarDate(value)) {
    throw new InvalidArgumentError('must be an ISO-8601 time such as 2026-03-15T12:00:00Z.');
  }
  return ms;
}

function isCalendarDate(value: string): boolean {
  const match = /^\s*(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function parseText(name: string) {
  return (value: string): string => {
    if (value.trim() === '') throw new InvalidArgumentError(`${name} must not be empty.`);
    return value;
  };
}

/** Issue and PR numbers may exceed 2^53; bind them as bigint then, so they stay exact. */
function parseNumberArgument(kind: string, value: string): Int {
  if (!/^\d+$/.test(value))
    throw new CliFailure(EXIT.usage, `${kind} number must be a whole number: ${value}`);
  const big = BigInt(value);
  // SQLite integers are signed 64-bit; anything larger cannot be in the database.
  if (big > 2n ** 63n - 1n) throw new CliFailure(EXIT.usage, `${kind} number is too large: ${value}`);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

export function runCli(argv: string[], givenIo: CliIo): number {
  // Messages can quote the database and mergexo.toml (repository names, paths): no terminal controls.
  const io: CliIo = { ...givenIo, stderr: (text) => givenIo.stderr(terminalSafeLines(text)) };
  const program = new Command();
  program
    .name('mergexo-obs')
    .description("Read a MergeXO state.db (read-only) and print the figures of MergeXO's dashboard.")
    .option(
      '--db <path>',
      'state.db to read (default: mergexo.toml in the current directory, then ~/.local/...)',
      parseText('--db'),
    )
    .option('--repo <owner/name>', 'only this repository', parseText('--repo'))
    .addOption(new Option('--window <window>', 'metrics window').choices([...WINDOWS]))
    .option('--limit <n>', 'at most this many rows', parseWhole('--limit'))
    .option(
      '--offset <n>',
      'skip this many rows (agents, tracked, outcomes, issue, pr)',
      parseWhole('--offset'),
    )
    .option('--now <iso>', 'pin the clock (elapsed times and window cutoffs)', parseNow)
    .option('--json', "print MergeXO's JSON for the section")
    .addOption(
      new Option('--driver <driver>', 'SQLite driver')
        .choices(['auto', 'better-sqlite3', 'node:sqlite'])
        .default('auto'),
    )
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: (text, write) => write(text.trim().split('\n')[0] + '\n'),
    });

  let exitCode: number = EXIT.ok;
  const run = (
    action: (db: MergexoDatabase, scope: QueryScope, options: GlobalOptions) => Section,
    paged = false,
  ) => {
    return () => {
      const options = program.opts<GlobalOptions>();
      if (!paged && options.offset !== undefined) {
        throw new CliFailure(EXIT.usage, '--offset applies only to agents, tracked, outcomes, issue and pr.');
      }
      const { db, defaultWindow } = openDatabase(options, io.cwd, io.stderr);
      try {
        if (options.repo !== undefined) warnUnknownRepository(db, options.repo, io);
        const scope: QueryScope = { repo: options.repo ?? null, nowMs: options.now ?? Date.now() };
        const section = action(db, scope, { ...options, window: options.window ?? defaultWindow });
        exitCode = emit(section, options, io);
      } finally {
        db.close();
      }
    };
  };

  program
    .command('overview')
    .description('active, blocked and tracked counts, failures, mean and std-dev runtime')
    .action(
      run((db, scope, o) => {
        const overview = db.queries.overview(scope, o.window!);
        if (overview.ok) return figureSection('overview', overview);
        // An older MergeXO file still has the tracked and blocked counts; print them in the table form.
        const work = db.queries.workCounts(scope);
        return { kind: 'overview', figure: overview, ...(work.ok ? { partial: work.value } : {}) };
      }),
    );
  program
    .command('agents')
    .description('active agents, oldest first')
    .action(
      run((db, scope, o) => {
        const agents = page(db.queries.activeAgents(scope), o);
        return figureSection(
          'agents',
          agents.ok
            ? { ...agents, value: agents.value.map(({ liveness: _liveness, ...agent }) => agent) }
            : agents,
        );
      }),
    );
  program
    .command('tracked')
    .description('tracked and blocked pull requests and issues')
    .action(
      run((db, scope, o) => figureSection('tracked', page(db.queries.trackedAndBlocked(scope), o)), true),
    );
  program
    .command('outcomes')
    .description('merged and closed work, newest first')
    .action(
      run(
        (db, scope, o) =>
          figureSection('outcomes', db.queries.terminalOutcomes(scope, o.limit ?? 200, o.offset ?? 0)),
        true,
      ),
    );
  program
    .command('issue <number>')
    .description('runs of one issue, newest first')
    .action((number: string) => {
      const issue = parseNumberArgument('issue', number);
      run(
        (db, scope, o) =>
          figureSection(
            'issue',
            page(db.queries.issueHistory(scope, issue, (o.limit ?? 50) + (o.offset ?? 0)), o),
          ),
        true,
      )();
    });
  program
    .command('pr <number>')
    .description('status transitions of one pull request, newest first')
    .action((number: string) => {
      const pr = parseNumberArgument('pr', number);
      run(
        (db, scope, o) =>
          figureSection('pr', page(db.queries.prHistory(scope, pr, (o.limit ?? 50) + (o.offset ?? 0)), o)),
        true,
      )();
    });
  program
    .command('metrics')
    .description('terminal count, failure rate, mean and std-dev runtime, overall and per repository')
    .action(run((db, scope, o) => figureSection('metrics', db.queries.metrics(scope, o.window!))));
  program
    .command('repos')
    .description('repositories present in any table')
    .action(
      run((db) => ({ kind: 'repos', figure: { ok: true, value: db.queries.repositories(), notes: [] } })),
    );
  program
    .command('roadmaps')
    .description('roadmap lifecycle counts and blocked nodes with their age')
    .action(
      run((db, scope, o) => {
        const counts = db.queries.roadmapLifecycleCounts(scope);
        const blockers = db.queries.roadmapBlockerAges(scope, o.limit ?? 50);
        if (!counts.ok) return figureSection('roadmaps', counts);
        if (!blockers.ok) return figureSection('roadmaps', blockers);
        return figureSection('roadmaps', {
          ok: true,
          notes: [],
          value: { roadmap_lifecycle_counts: counts.value, roadmap_blocker_ages: blockers.value },
        });
      }),
    );

  try {
    program.parse(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliFailure) {
      io.stderr(`mergexo-obs: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof OpenError && isBusyError(error)) {
      // The extension retries on its own; a one-shot command can only say so.
      io.stderr('mergexo-obs: another process holds a lock on the database; try again in a moment.\n');
      return EXIT.unreadable;
    }
    if (error instanceof OpenError) {
      io.stderr(`mergexo-obs: ${oneLineReason(error)}\n`);
      return EXIT.unreadable;
    }
    // A read that fails after the open (a damaged page, a lock held past the busy timeout).
    io.stderr(`mergexo-obs: ${readErrorMessage(error).replace(/\s*\n\s*/g, ' ')}\n`);
    return EXIT.unreadable;
  }
}

/** Applies --offset then --limit to a list figure (MergeXO's own lists have no offset). */
function page<T>(figure: Figure<T[]>, options: GlobalOptions): Figure<T[]> {
  if (!figure.ok) return figure;
  const start = options.offset ?? 0;
  const end = options.limit === undefined ? undefined : start + options.limit;
  return { ...figure, value: figure.value.slice(start, end) };
}

/**
 * A typo in --repo would silently print zeros; say which repositories the file knows. Not an error:
 * a repository MergeXO was just configured for has no rows yet, and its figures are zeros.
 */
function warnUnknownRepository(db: MergexoDatabase, repo: string, io: CliIo): void {
  const known = db.queries.repositories();
  if (known.includes(repo)) return;
  const list = known.length ? known.join(', ') : 'none';
  io.stderr(`note: no repository ${JSON.stringify(repo)} in this database (it has: ${list}).\n`);
}

/** Each line of `text` without control or bidirectional characters (line breaks kept). */
function terminalSafeLines(text: string): string {
  return text
    .split('\n')
    .map((line) => displaySafe(line, { multiline: true, max: Number.POSITIVE_INFINITY }))
    .join('\n');
}

function figureSection<K extends Section['kind']>(kind: K, figure: Figure<unknown>): Section {
  return { kind, figure } as Section;
}

function oneLineReason(error: OpenError): string {
  return openErrorText(error).replace(/\s*\n\s*/g, ' ');
}

function openDatabase(
  options: GlobalOptions,
  cwd: string,
  stderr: (text: string) => void,
): { db: MergexoDatabase; defaultWindow: MetricsWindow } {
  const discovery = discoverDatabases({ explicitPath: options.db, folders: [cwd] });
  const candidate = discovery.candidates[0];
  if (!candidate) {
    const problem = discovery.problems[0];
    throw new CliFailure(
      EXIT.unreadable,
      problem
        ? problem.message
        : 'no MergeXO database found: pass --db PATH, or run where mergexo.toml is, ' +
            'or keep state.db in ~/.local/share/mergexo.',
    );
  }
  const db = MergexoDatabase.open(candidate.dbPath, { driver: options.driver });
  for (const warning of candidate.warnings ?? []) stderr(`note: ${warning}\n`);
  return { db, defaultWindow: candidate.runtime.defaultWindow };
}

function emit(section: Section, options: GlobalOptions, io: CliIo): number {
  const { figure } = section;
  if (!figure.ok) {
    if (options.json) {
      io.stdout(toPythonJson({ error: { type: 'SchemaGap', message: figure.gap.message } }) + '\n');
    } else if (section.kind === 'overview' && section.partial) {
      io.stdout(renderPartialOverview(section.partial));
    }
    io.stderr(`mergexo-obs: ${figure.gap.message}\n`);
    return EXIT.schemaGap;
  }
  for (const note of figure.notes) io.stderr(`note: ${note.message}\n`);
  io.stdout(
    options.json ? toPythonJson(figure.value) + '\n' : renderSection(section, options.now ?? Date.now()),
  );
  return EXIT.ok;
}
