// `agent_run_history.meta_json` is rewritten by the service while a run is live. It can be missing,
// `null`, an array, or text that is not JSON at all; none of that may break a view.

export type RunMeta = Record<string, unknown>;

/** The parsed object, or `null` when the column does not hold a JSON object. */
export function parseMeta(text: unknown): RunMeta | null {
  if (typeof text !== 'string') return null;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as RunMeta) : null;
  } catch {
    return null;
  }
}

/** MergeXO counts a run as active only when `codex_active` is exactly JSON `true`. */
export function isCodexActive(meta: RunMeta | null): boolean {
  return meta !== null && meta.codex_active === true;
}

export function metaString(meta: RunMeta | null, key: string): string | null {
  const value = meta?.[key];
  return typeof value === 'string' ? value : null;
}

export function metaNumber(meta: RunMeta | null, key: string): number | null {
  const value = meta?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
