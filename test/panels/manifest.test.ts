// The panels' commands, menus and activation events are declared in package.json, with `when`
// clauses that match namespaced context values by token, never by substring.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PANEL_COMMANDS } from '../../src/panels/commands';
import { METRICS_VIEW_TYPE } from '../../webview/metrics/protocol';
import { TIMELINE_VIEW_TYPE } from '../../webview/timeline/protocol';

interface Menu {
  command: string;
  when?: string;
  group?: string;
}

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  activationEvents: string[];
  contributes: {
    commands: Array<{ command: string; title: string; category?: string }>;
    menus: Record<string, Menu[]>;
  };
};

/** Evaluates a `viewItem =~ /…/` conjunction the way VS Code does for a given context value. */
function matches(when: string, viewItem: string, view = 'mergexo.agents'): boolean {
  return when.split('&&').every((clause) => {
    const match = /^\s*(view|viewItem)\s*=~\s*\/(.*)\/\s*$/.exec(clause);
    if (!match) throw new Error(`unexpected clause ${clause}`);
    return new RegExp(match[2]!).test(match[1] === 'view' ? view : viewItem);
  });
}

describe('package.json for the panels', () => {
  it('contributes each panel command in the MergeXO category', () => {
    for (const id of Object.values(PANEL_COMMANDS)) {
      const command = pkg.contributes.commands.find((entry) => entry.command === id);
      expect(command, id).toBeDefined();
      expect(command!.category).toBe('MergeXO');
    }
  });

  it('activates to restore panels after a reload', () => {
    expect(pkg.activationEvents).toContain(`onWebviewPanel:${METRICS_VIEW_TYPE}`);
    expect(pkg.activationEvents).toContain(`onWebviewPanel:${TIMELINE_VIEW_TYPE}`);
  });

  it('offers the history commands on the right tree items, by whole token', () => {
    const menu = pkg.contributes.menus['view/item/context']!;
    const issue = menu.find((entry) => entry.command === PANEL_COMMANDS.showIssueHistoryOfItem)!;
    const pr = menu.find((entry) => entry.command === PANEL_COMMANDS.showPrHistoryOfItem)!;
    expect(matches(issue.when!, 'mergexo:agent+hasIssue+hasRun')).toBe(true);
    expect(matches(issue.when!, 'mergexo:pr+hasIssue+hasPr')).toBe(true);
    expect(matches(issue.when!, 'mergexo:group+blocked')).toBe(false);
    expect(matches(issue.when!, 'mergexo:repo')).toBe(false);
    expect(matches(pr.when!, 'mergexo:pr+hasIssue+hasPr+hasBranch')).toBe(true);
    expect(matches(pr.when!, 'mergexo:agent+hasIssue+hasPrStatus')).toBe(false);
    expect(matches(pr.when!, 'mergexo:agent+hasIssue')).toBe(false);
    expect(matches(pr.when!, 'other:pr+hasPr')).toBe(false);
  });

  it('asks for the issue or PR only from the palette ("…"); the tree menus name it already', () => {
    const title = (id: string) => pkg.contributes.commands.find((entry) => entry.command === id)!.title;
    expect(title(PANEL_COMMANDS.showIssueHistory)).toBe('Show Issue History…');
    expect(title(PANEL_COMMANDS.showPrHistory)).toBe('Show PR History…');
    expect(title(PANEL_COMMANDS.showIssueHistoryOfItem)).toBe('Show Issue History');
    expect(title(PANEL_COMMANDS.showPrHistoryOfItem)).toBe('Show PR History');
    const menu = pkg.contributes.menus['view/item/context']!.map((entry) => entry.command);
    expect(menu).not.toContain(PANEL_COMMANDS.showIssueHistory);
    expect(menu).not.toContain(PANEL_COMMANDS.showPrHistory);
    const hidden = pkg.contributes.menus.commandPalette!.filter((entry) => entry.when === 'false');
    expect(hidden.map((entry) => entry.command)).toEqual(
      expect.arrayContaining([PANEL_COMMANDS.showIssueHistoryOfItem, PANEL_COMMANDS.showPrHistoryOfItem]),
    );
  });

  it('puts Show Metrics on the MergeXO views’ title bars', () => {
    const entry = pkg.contributes.menus['view/title']!.find(
      (item) => item.command === PANEL_COMMANDS.showMetrics,
    )!;
    expect(matches(entry.when!, '', 'mergexo.agents')).toBe(true);
    expect(matches(entry.when!, '', 'mergexo.tracked')).toBe(true);
    expect(matches(entry.when!, '', 'explorer')).toBe(false);
  });
});
