// package.json and the code agree: every contributed command is registered and every registered
// command contributed; menus, views, activation events and `when` clauses name things that exist.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Commands, ContextKeys, Views } from '../../../src/host/commandIds';
import { NOTIFY_SETTINGS } from '../../../src/host/notifySettings';
import { PANEL_COMMANDS } from '../../../src/panels/commands';

const ROOT = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const contributes = pkg.contributes;

function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/**
 * Command ids registered in code: our typed table (every key gets a handler, checked by the
 * compiler), plus `registerCommand('…')` literals and `registerCommand(PANEL_COMMANDS.x` calls.
 */
function registeredCommands(): Set<string> {
  const ids = new Set<string>(Object.values(Commands));
  const panels = PANEL_COMMANDS as Record<string, string>;
  for (const file of sources(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/registerCommand\(\s*(?:['"`]([^'"`]+)['"`]|PANEL_COMMANDS\.(\w+))/g)) {
      ids.add(match[1] ?? panels[match[2]!] ?? `unknown PANEL_COMMANDS.${match[2]}`);
    }
  }
  return ids;
}

const contributed = new Set<string>(
  contributes.commands.map((command: { command: string }) => command.command),
);

describe('package.json and code agree', () => {
  it('registers every contributed command and contributes every registered one', () => {
    const registered = registeredCommands();
    expect([...contributed].filter((id) => !registered.has(id))).toEqual([]);
    expect([...registered].filter((id) => !contributed.has(id))).toEqual([]);
  });

  it('gives every command the MergeXO category and a title', () => {
    for (const command of contributes.commands) {
      expect(command.category, command.command).toBe('MergeXO');
      expect(command.title, command.command).toBeTruthy();
    }
  });

  it('points menus only at contributed commands', () => {
    for (const [menu, entries] of Object.entries(contributes.menus) as [string, { command: string }[]][]) {
      for (const entry of entries)
        expect(contributed.has(entry.command), `${menu}: ${entry.command}`).toBe(true);
    }
    for (const id of [PANEL_COMMANDS.showIssueHistoryOfItem, PANEL_COMMANDS.showPrHistoryOfItem]) {
      const inMenus = contributes.menus['view/item/context'].some(
        (entry: { command: string }) => entry.command === id,
      );
      // History entries appear in the tree menus exactly when the panels contribute the commands.
      expect(inMenus, id).toBe(contributed.has(id));
    }
  });

  it('declares the views, their container icon and an activation event per view', () => {
    const views = contributes.views[Views.container].map((view: { id: string }) => view.id);
    expect(views).toEqual([Views.agents, Views.tracked, Views.outcomes, Views.roadmaps]);
    const container = contributes.viewsContainers.activitybar.find(
      (entry: { id: string }) => entry.id === Views.container,
    );
    expect(existsSync(join(ROOT, container.icon))).toBe(true);
    for (const id of views) expect(pkg.activationEvents).toContain(`onView:${id}`);
    expect(pkg.activationEvents).toContain('workspaceContains:mergexo.toml');
    expect(pkg.extensionKind).toEqual(['workspace']);
    expect(pkg.main).toBe('./dist/extension.js');
    expect(pkg.capabilities.untrustedWorkspaces).toMatchObject({
      supported: 'limited',
      restrictedConfigurations: ['mergexo.stateDbPath'],
    });
  });

  it('uses only known context keys in when clauses, and word boundaries for context values', () => {
    const known = new Set<string>([...Object.values(ContextKeys), ...Object.values(Views), ...contributed]);
    const clauses: string[] = [
      ...Object.values(contributes.menus).flatMap((entries) =>
        (entries as { when?: string }[]).map((entry) => entry.when ?? ''),
      ),
      ...contributes.viewsWelcome.map((entry: { when: string }) => entry.when),
      ...contributes.views[Views.container].map((view: { when?: string }) => view.when ?? ''),
    ];
    for (const clause of clauses) {
      // Identifiers, not text inside regular expressions.
      const outsideRegex = clause.replace(/\/(?:\\.|[^/])+\//g, '');
      for (const key of outsideRegex.match(/\bmergexo\.[A-Za-z.]+/g) ?? []) {
        expect(known.has(key), `${key} in "${clause}"`).toBe(true);
      }
      for (const regex of clause.match(/viewItem =~ \/(?:\\.|[^/])+\//g) ?? []) {
        // Either anchored on the namespace, or a `+token` ending at a word boundary.
        expect(/\/\^mergexo:/.test(regex) || /\\\+[A-Za-z]+\\b\/$/.test(regex), regex).toBe(true);
      }
    }
  });

  it('declares every setting the extension reads', () => {
    const properties = Object.keys(contributes.configuration.properties);
    const expected = [
      'stateDbPath',
      'refreshIntervalSeconds',
      'repository',
      'metricsWindow',
      'stallThresholdMinutes',
      'outcomesPageSize',
      ...Object.values(NOTIFY_SETTINGS),
    ].map((key) => `mergexo.${key}`);
    for (const key of expected) expect(properties, key).toContain(key);
  });

  it('has a welcome for no database, and one per unreadable reason in each view', () => {
    const welcomes = (view: string) =>
      contributes.viewsWelcome
        .filter((entry: { view: string }) => entry.view === view)
        .map((entry: { when: string }) => entry.when);
    const reasons = ['missing', 'not-a-file', 'not-a-database', 'cannot-open', 'no-driver', 'read-failed'];
    // Every OpenError kind, plus a failed read, has its own wording.
    const source = readFileSync(join(ROOT, 'src', 'data', 'sqlite.ts'), 'utf8');
    const kinds = /readonly kind: ([^,]+),/
      .exec(source)![1]!
      .match(/'[a-z-]+'/g)!
      .map((kind) => kind.slice(1, -1));
    expect(reasons).toEqual(expect.arrayContaining(kinds));
    for (const view of [Views.agents, Views.tracked, Views.outcomes]) {
      expect(welcomes(view)).toEqual([
        `${ContextKeys.state} == none`,
        ...reasons.map(
          (reason) => `${ContextKeys.state} == error && ${ContextKeys.errorReason} == ${reason}`,
        ),
      ]);
    }
  });

  it('offers buttons that help in Active Agents when the file cannot be read, never "no database found"', () => {
    type Welcome = { view: string; when: string; contents: string };
    const errors = (contributes.viewsWelcome as Welcome[]).filter(
      (entry) => entry.view === Views.agents && entry.when.includes(`${ContextKeys.state} == error`),
    );
    expect(errors).toHaveLength(6);
    for (const entry of errors) {
      expect(entry.contents).not.toMatch(/No MergeXO database found/);
      expect(entry.contents).toContain('[Open Database File…](command:mergexo.openDatabase)');
      expect(entry.contents).toContain('[Open Settings](command:mergexo.openSettings)');
      expect(entry.contents).toContain('[Show Log](command:mergexo.showLog)');
    }
    const missing = errors.find((entry) => entry.when.endsWith('== missing'))!;
    expect(missing.contents).toMatch(/^The MergeXO database file does not exist/);
  });

  it('calls the file picker "Open Database File…" everywhere', () => {
    const command = contributes.commands.find(
      (entry: { command: string }) => entry.command === Commands.openDatabase,
    );
    expect(command.title).toBe('Open Database File…');
    const everything = [
      JSON.stringify(pkg),
      ...sources(join(ROOT, 'src')).map((file) => readFileSync(file, 'utf8')),
    ];
    for (const text of everything) expect(text).not.toMatch(/Open State Database/);
  });

  it('ends no context-menu title in "…": each acts on its item without asking for more', () => {
    const titles = new Map<string, string>(
      contributes.commands.map((entry: { command: string; title: string }) => [entry.command, entry.title]),
    );
    for (const entry of contributes.menus['view/item/context'] as { command: string }[]) {
      expect(titles.get(entry.command), entry.command).not.toMatch(/(…|\.\.\.)$/);
    }
  });
});
