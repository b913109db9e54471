// Which repository and metrics window every view shows, and where that choice comes from. A pick
// made with "Select Repository…" or "Select Metrics Window…" is kept for the workspace (VS Code's
// workspaceState) and wins over the settings, so picking never writes .vscode/settings.json; the
// settings stay the default, and mergexo.toml's observability_default_window the fallback for the
// window. Pure: no `vscode`, so the precedence is tested in plain Node.
import { DEFAULT_RUNTIME_SETTINGS } from '../data/discovery';
import { WINDOWS, type MetricsWindow } from '../data/types';
import { Messages } from '../messages';

/** workspaceState keys. The repository pick is `''` for "all repositories", absent when there is none. */
export const REPOSITORY_PICK_KEY = 'mergexo.repositoryPick';
export const WINDOW_PICK_KEY = 'mergexo.metricsWindowPick';

/** `picked`: this workspace's pick; `config`: mergexo.toml; `default`: nothing set anywhere. */
export type ScopeSource = 'picked' | 'setting' | 'config' | 'default';

export interface Resolved<T> {
  value: T;
  source: ScopeSource;
}

/** `null` means all repositories. `pick` is read back from storage, so it is checked, not trusted. */
export function resolveRepository(pick: unknown, setting: string): Resolved<string | null> {
  if (typeof pick === 'string') return { value: pick.trim() === '' ? null : pick.trim(), source: 'picked' };
  const repo = setting.trim();
  return repo === '' ? { value: null, source: 'default' } : { value: repo, source: 'setting' };
}

export function resolveWindow(
  pick: unknown,
  setting: MetricsWindow | null,
  config: MetricsWindow | undefined,
): Resolved<MetricsWindow> {
  if (isWindow(pick)) return { value: pick, source: 'picked' };
  if (setting) return { value: setting, source: 'setting' };
  if (config) return { value: config, source: 'config' };
  return { value: DEFAULT_RUNTIME_SETTINGS.defaultWindow, source: 'default' };
}

function isWindow(value: unknown): value is MetricsWindow {
  return typeof value === 'string' && (WINDOWS as readonly string[]).includes(value);
}

// ---- the quick picks ------------------------------------------------------------------------------

/** What choosing an entry does: pick a repository (`null`: all), or drop the pick and follow the setting. */
export type RepositoryChoice = { kind: 'pick'; repo: string | null } | { kind: 'useSetting' };
export type WindowChoice = { kind: 'pick'; window: MetricsWindow } | { kind: 'useSetting' };

export interface PickEntry<Choice> {
  label: string;
  description?: string;
  detail?: string;
  picked?: boolean;
  choice: Choice;
}

export const USE_SETTING_LABEL = 'Use the Setting';

const WINDOW_LABELS: Record<MetricsWindow, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
};

/**
 * "All repositories", each repository, and, while this workspace has a pick, the way back to the
 * setting. `current` is what the views show; `fromSettings` what they would show without the pick.
 * Labels are raw names: the caller makes them display-safe.
 */
export function repositoryEntries(
  repos: readonly string[],
  current: Resolved<string | null>,
  fromSettings: Resolved<string | null>,
): PickEntry<RepositoryChoice>[] {
  const entries: PickEntry<RepositoryChoice>[] = [
    { label: Messages.allRepositories, picked: current.value === null, choice: { kind: 'pick', repo: null } },
    ...repos.map((repo) => ({
      label: repo,
      picked: repo === current.value,
      choice: { kind: 'pick' as const, repo },
    })),
  ];
  if (current.source === 'picked') {
    entries.push({
      label: USE_SETTING_LABEL,
      description: `mergexo.repository: ${fromSettings.value ?? 'all repositories'}`,
      detail: 'Forget the repository picked for this workspace and follow the setting again',
      choice: { kind: 'useSetting' },
    });
  }
  return entries;
}

export function windowEntries(
  current: Resolved<MetricsWindow>,
  fromSettings: Resolved<MetricsWindow>,
): PickEntry<WindowChoice>[] {
  const entries: PickEntry<WindowChoice>[] = WINDOWS.map((window) => ({
    label: window,
    description: WINDOW_LABELS[window] + (window === current.value ? ' (current)' : ''),
    picked: window === current.value,
    choice: { kind: 'pick', window },
  }));
  if (current.source === 'picked') {
    entries.push({
      label: USE_SETTING_LABEL,
      description: `${fromSettings.value} ${describeSource(fromSettings.source, 'mergexo.metricsWindow')}`,
      detail: 'Forget the window picked for this workspace and follow the setting again',
      choice: { kind: 'useSetting' },
    });
  }
  return entries;
}

/** "from mergexo.metricsWindow", "picked for this workspace", …: for tooltips and the picker. */
export function describeSource(source: ScopeSource, setting: string): string {
  switch (source) {
    case 'picked':
      return 'picked for this workspace';
    case 'setting':
      return `from ${setting}`;
    case 'config':
      return 'from mergexo.toml';
    case 'default':
      return 'by default';
  }
}
