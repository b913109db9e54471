// What the sidebar views show around their items: nothing while no database is open (so their
// welcome content can show), and the short line beside each view's title.
import type { MetricsWindow } from '../data/types';
import type { ItemModel } from './modelItems';
import { plainLine } from './modelText';

export type SessionKind = 'none' | 'error' | 'open';

/**
 * While no database is open a view is empty and has no message: VS Code hides a view's welcome
 * content (package.json `viewsWelcome`, worded by the `mergexo.state` and `mergexo.errorReason`
 * context keys, with its buttons) as long as the view has a message. `undefined` when open.
 */
export function unavailableContent(kind: SessionKind): { items: ItemModel[] } | undefined {
  return kind === 'open' ? undefined : { items: [] };
}

export interface ScopeLineInput {
  kind: SessionKind;
  /** The database file, when one was chosen. */
  path?: string;
  repo: string | null;
  window: MetricsWindow;
}

/**
 * The grey text beside the view titles. Active Agents says which repository and window (short: the
 * side bar is narrow), or, when the file cannot be read, which file; the other views name the
 * repository only under a filter.
 */
export function viewDescriptions(input: ScopeLineInput): { agents?: string; others?: string } {
  if (input.kind === 'error') return input.path ? { agents: pathTail(input.path, 120) } : {};
  if (input.kind !== 'open') return {};
  const repo = input.repo === null ? undefined : plainLine(input.repo, 60);
  return { agents: `${repo ?? 'all'} · ${input.window}`, ...(repo ? { others: repo } : {}) };
}

/** A long path keeps its end, where the folder and file names are: `…/base/state.db`. */
function pathTail(path: string, max: number): string {
  const shown = plainLine(path, Number.POSITIVE_INFINITY);
  return shown.length <= max ? shown : `…${shown.slice(shown.length - (max - 1))}`;
}
