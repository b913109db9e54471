// The shape every tree view renders: a plain description of one item, built by pure functions from
// data-layer rows. The vscode-facing providers only map these to `vscode.TreeItem`.
import type { WorkTarget } from '../host/session';

/** A codicon id and, optionally, a theme colour id (both VS Code's own names). */
export interface IconModel {
  id: string;
  color?: string;
}

export type ItemKind =
  | 'repo'
  | 'group'
  | 'agent'
  | 'tracked'
  | 'outcome'
  | 'failedRun'
  | 'loadMore'
  | 'banner'
  | 'roadmapGroup'
  | 'roadmapCount'
  | 'roadmapBlocker'
  | 'note';

export interface ItemModel {
  /** Stable across refreshes: built from the row's full natural key. */
  id: string;
  kind: ItemKind;
  label: string;
  description?: string;
  /** Markdown source; every piece of database text in it is escaped. */
  tooltip?: string;
  icon?: IconModel;
  /** Namespaced tokens, e.g. `mergexo:agent+hasIssue+hasPr`; matched with word boundaries in `when`. */
  contextValue?: string;
  target?: WorkTarget;
  /** Spoken by screen readers instead of label + description. */
  accessibilityLabel?: string;
  collapsible?: 'none' | 'collapsed' | 'expanded';
  children?: ItemModel[];
  /** A command run on click (used by "Load more"). */
  command?: { id: string; title: string; args?: unknown[] };
}

/** Capability tokens appended to a base context value: `mergexo:pr+hasIssue+hasBranch`. */
export function contextValue(base: string, flags: Record<string, boolean>): string {
  const tokens = Object.entries(flags)
    .filter(([, on]) => on)
    .map(([name]) => `+${name}`);
  return `mergexo:${base}${tokens.join('')}`;
}

/** Flattens a tree of models (depth first) for tests and id checks. */
export function flatten(items: ItemModel[]): ItemModel[] {
  return items.flatMap((item) => [item, ...flatten(item.children ?? [])]);
}
