// The CLI prints, with --json, exactly the section of MergeXO's dashboard data for the same file:
// same fields, same Python JSON layout. Checked byte for byte against the expected files.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../src/cli/main';
import { WINDOWS } from '../../src/data/types';
import { assertClose, expectedFiles, fixturePath, isErrorSection } from '../support/fixtures';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd = process.cwd()): Run {
  let stdout = '';
  let stderr = '';
  const code = runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd });
  return { code, stdout, stderr };
}

/** The expected file is `json.dumps(data, indent=2)`; a section appears in it indented by `depth` levels. */
function appearsVerbatim(fileText: string, sectionJson: string, key: string, depth: number): boolean {
  const pad = '  '.repeat(depth);
  const lines = sectionJson.trimEnd().split('\n');
  const indented = [`${pad}${JSON.stringify(key)}: ${lines[0]}`, ...lines.slice(1).map((l) => pad + l)].join(
    '\n',
  );
  return fileText.includes(indented);
}

const files = expectedFiles();

describe.each(files.map((f) => [f.name, f] as const))('mergexo-obs --json on %s', (_name, file) => {
  const { meta } = file.data;
  const base = ['--db', fixturePath(meta.db), '--now', meta.now, '--json'];
  if (meta.repo_filter) base.push('--repo', meta.repo_filter);
  const sections: [string, string[], unknown, string, number][] = [
    ...WINDOWS.flatMap((w): [string, string[], unknown, string, number][] => [
      [
        `overview ${w}`,
        ['overview', '--window', w],
        (file.data.overview as Record<string, unknown>)[w],
        w,
        2,
      ],
      [`metrics ${w}`, ['metrics', '--window', w], (file.data.metrics as Record<string, unknown>)[w], w, 2],
    ]),
    ['agents', ['agents'], file.data.active_agents, 'active_agents', 1],
    ['tracked', ['tracked'], file.data.tracked_and_blocked, 'tracked_and_blocked', 1],
    [
      'tracked --limit 200',
      ['tracked', '--limit', '200'],
      file.data.tracked_and_blocked_tui,
      'tracked_and_blocked_tui',
      1,
    ],
    ['outcomes', ['outcomes'], file.data.terminal_outcomes, 'terminal_outcomes', 1],
    ...Object.entries(file.data.issue_history as Record<string, unknown>).map(
      ([n, v]): [string, string[], unknown, string, number] => [`issue ${n}`, ['issue', n], v, n, 2],
    ),
    ...Object.entries(file.data.pr_history as Record<string, unknown>).map(
      ([n, v]): [string, string[], unknown, string, number] => [`pr ${n}`, ['pr', n], v, n, 2],
    ),
  ];

  it.each(sections)('%s', (_label, args, expected, key, depth) => {
    const run = cli([...args, ...base]);
    if (isErrorSection(expected)) {
      // MergeXO crashed here; we either compute the figure (noting the gap) or explain the gap.
      expect([EXIT.ok, EXIT.schemaGap]).toContain(run.code);
      if (run.code === EXIT.schemaGap) {
        expect(JSON.parse(run.stdout).error.type).toBe('SchemaGap');
        expect(run.stderr.trim().split('\n')).toHaveLength(1);
      } else {
        expect(run.stderr).toMatch(/^note: /m);
      }
      return;
    }
    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT.ok);
    // Byte-exact where summation order cannot differ; otherwise structurally within 1e-9 (below).
    assertClose(JSON.parse(run.stdout), expected);
    if (!/mean_runtime|stddev/.test(run.stdout)) {
      expect(appearsVerbatim(file.text, run.stdout, key, depth)).toBe(true);
    }
  });

  it('roadmaps', () => {
    const run = cli(['roadmaps', ...base]);
    const counts = file.data.roadmap_lifecycle_counts;
    if (isErrorSection(counts)) {
      expect(run.code).toBe(EXIT.schemaGap);
      return;
    }
    expect(run.code).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toEqual({
      roadmap_lifecycle_counts: counts,
      roadmap_blocker_ages: file.data.roadmap_blocker_ages,
    });
  });
});

describe('mergexo-obs arguments and bad input', () => {
  const small = fixturePath('small.db');
  const now = ['--now', '2026-03-15T12:00:00Z'];

  it('repos prints a sorted array of names', () => {
    const run = cli(['repos', '--db', small, '--json']);
    expect(run.code).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toEqual(['acme/gadgets', 'acme/widgets', 'octo/docs']);
  });

  it('prints readable tables by default', () => {
    const run = cli(['agents', '--db', small, ...now]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toMatch(/octo\/docs\s+#303\s+design_doc\s+1d 02h/);
    expect(cli(['tracked', '--db', small, ...now]).stdout).toContain('awaiting_issue_followup');
    expect(cli(['metrics', '--db', small, ...now, '--window', '24h']).stdout).toContain('all repositories');
  });

  it.each([
    [['overview', '--db', small, '--window', '2h'], /--window/],
    [['overview', '--db', small, '--now', 'yesterday'], /--now/],
    // SQLite would read it as March 2; a pinned clock must be a real date.
    [['overview', '--db', small, '--now', '2026-02-30T12:00:00Z'], /--now/],
    [['overview', '--db', small, '--repo', ''], /--repo must not be empty/],
    [['overview', '--db', ''], /--db must not be empty/],
    [['issue', 'abc', '--db', small], /whole number/],
    [['outcomes', '--db', small, '--limit', '-3'], /--limit/],
    [['bogus', '--db', small], /unknown command/],
  ])('rejects bad arguments %# with exit 2 and one line', (args, reason) => {
    const run = cli(args);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(reason);
    expect(run.stdout).toBe('');
  });

  it.each([
    ['a path that does not exist', () => join(tmpdir(), 'no-such-dir', 'state.db'), /does not exist/],
    ['a directory', () => mkdtempSync(join(tmpdir(), 'mxo-dir-')), /directory/],
    [
      'a text file named state.db',
      () => {
        const path = join(mkdtempSync(join(tmpdir(), 'mxo-text-')), 'state.db');
        writeFileSync(path, 'hello, I am not a database\n');
        return path;
      },
      /not an SQLite database/,
    ],
    [
      'an empty file',
      () => {
        const path = join(mkdtempSync(join(tmpdir(), 'mxo-empty-')), 'state.db');
        writeFileSync(path, '');
        return path;
      },
      /empty/,
    ],
    ['a device', () => '/dev/null', /a device, pipe or socket/],
    [
      "MergeXO's old single-repository layout",
      () => {
        const path = join(mkdtempSync(join(tmpdir(), 'mxo-single-')), 'state.db');
        const db = new Database(path);
        db.exec('CREATE TABLE issue_runs (issue_number INTEGER PRIMARY KEY, status TEXT NOT NULL)');
        db.exec("INSERT INTO issue_runs VALUES (1, 'merged')");
        db.close();
        return path;
      },
      /single-repository layout \(issue_runs has no repo_full_name column\)/,
    ],
  ])('refuses %s with exit 1 and one line', (_label, makePath, reason) => {
    const run = cli(['overview', '--db', makePath()]);
    expect(run.code).toBe(EXIT.unreadable);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(reason);
  });

  it('says what an old MergeXO database lacks, with exit 3', () => {
    const run = cli(['agents', '--db', fixturePath('legacy.db'), '--json']);
    expect(run.code).toBe(EXIT.schemaGap);
    expect(JSON.parse(run.stdout).error.message).toMatch(/no agent_run_history table/);
    expect(run.stderr).toMatch(/upgrade MergeXO/);
  });

  it('finds the database through mergexo.toml in the current directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mxo-cwd-'));
    mkdirSync(join(dir, 'base'));
    writeFileSync(join(dir, 'mergexo.toml'), `[runtime]\nbase_dir = "${join(dir, 'base')}"\n`);
    const missing = cli(['overview'], dir);
    expect(missing.code).toBe(EXIT.unreadable);
    expect(missing.stderr).toContain(join(dir, 'base', 'state.db'));
  });

  it('keeps issue numbers beyond 2^53 exact', () => {
    const run = cli(['issue', '9007199254740993', '--db', small, '--json']);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout.trim()).toBe('[]');
  });

  it('the built executable runs on this Node and prints the same JSON', () => {
    const built = spawnSync(process.execPath, ['dist/cli.js', 'overview', '--db', small, ...now, '--json'], {
      encoding: 'utf8',
    });
    expect(built.status).toBe(0);
    expect(built.stdout).toBe(cli(['overview', '--db', small, ...now, '--json']).stdout);
    // node:sqlite's experimental warning must not pollute stderr of a script-facing tool.
    const fallback = spawnSync(
      process.execPath,
      ['dist/cli.js', 'overview', '--db', small, ...now, '--json', '--driver', 'node:sqlite'],
      { encoding: 'utf8' },
    );
    expect(fallback.status).toBe(0);
    expect(fallback.stderr).toBe('');
    expect(fallback.stdout).toBe(built.stdout);
  });

  it('refuses issue numbers SQLite cannot hold, with exit 2', () => {
    const run = cli(['issue', '99999999999999999999', '--db', small]);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(/too large/);
  });

  it('pages lists with --offset and refuses it where there is no list', () => {
    const all = JSON.parse(cli(['tracked', '--db', small, ...now, '--json']).stdout);
    const paged = JSON.parse(
      cli(['tracked', '--db', small, ...now, '--json', '--limit', '2', '--offset', '1']).stdout,
    );
    expect(paged).toEqual(all.slice(1, 3));
    const metrics = cli(['metrics', '--db', small, '--offset', '1']);
    expect(metrics.code).toBe(EXIT.usage);
    expect(metrics.stderr).toMatch(/--offset applies only/);
  });

  it('notes a repository the database does not know', () => {
    const run = cli(['overview', '--db', small, '--repo', 'Acme/Widgets', '--json']);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toMatch(/no repository "Acme\/Widgets".*acme\/widgets/);
  });

  it('shows what an old database still has in the overview table', () => {
    const run = cli(['overview', '--db', fixturePath('legacy.db')]);
    expect(run.code).toBe(EXIT.schemaGap);
    expect(run.stdout).toMatch(/blocked\s+2/);
    expect(run.stderr).toMatch(/no agent_run_history table/);
  });

  it('notes an unusable observability_default_window and uses 24h', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mxo-window-'));
    mkdirSync(join(dir, 'base'));
    copyFileSync(small, join(dir, 'base', 'state.db'));
    copyFileSync(`${small}-wal`, join(dir, 'base', 'state.db-wal'));
    writeFileSync(
      join(dir, 'mergexo.toml'),
      `[runtime]\nbase_dir = "${join(dir, 'base')}"\nobservability_default_window = "2h"\n`,
    );
    const run = cli(['overview', ...now, '--json'], dir);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toMatch(
      /observability_default_window = "2h" is not one of 1h, 24h, 7d, 30d; using "24h"/,
    );
    expect(run.stdout).toBe(cli(['overview', '--db', small, ...now, '--window', '24h', '--json']).stdout);
  });

  it('prints tables without trailing blanks and cuts a cell no one could read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mxo-long-'));
    const path = join(dir, 'state.db');
    copyFileSync(small, path);
    copyFileSync(`${small}-wal`, `${path}-wal`);
    const db = new Database(path);
    // 59 characters then an emoji: a cut at 60 must not leave half of its surrogate pair.
    db.prepare(
      "UPDATE issue_runs SET error = ? WHERE issue_number = 104 AND repo_full_name = 'acme/widgets'",
    ).run(`${'a'.repeat(58)}🚀${'b'.repeat(20)}`);
    db.prepare('UPDATE pr_feedback_state SET branch = ? WHERE pr_number = 1102').run('x'.repeat(100_000));
    db.close();
    const run = cli(['tracked', '--db', path, ...now]);
    expect(run.code).toBe(EXIT.ok);
    const lines = run.stdout.split('\n');
    expect(lines.filter((line) => / $/.test(line))).toEqual([]);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(1000);
    expect(run.stdout).toContain(`${'a'.repeat(58)}…`);
    expect(run.stdout).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(run.stdout).not.toContain('\ufffd');
  });

  it('says when base_dir names a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mxo-basefile-'));
    writeFileSync(join(dir, 'base'), 'not a folder');
    writeFileSync(join(dir, 'mergexo.toml'), `[runtime]\nbase_dir = "${join(dir, 'base')}"\n`);
    const run = cli(['overview'], dir);
    expect(run.code).toBe(EXIT.unreadable);
    expect(run.stderr).toMatch(/base_dir .* is a file/);
  });

  it('reports a database damaged in the middle in one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mxo-corrupt-'));
    const path = join(dir, 'state.db');
    const bytes = readFileSync(small);
    // Keep the header and schema page; overwrite the data pages with garbage.
    bytes.fill(0x5a, 4096 * 2, bytes.length - 4096);
    writeFileSync(path, bytes);
    const run = cli(['tracked', '--db', path]);
    expect(run.code).toBe(EXIT.unreadable);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/damaged/);
  });
});
