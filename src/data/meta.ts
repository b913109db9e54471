// `agent_run_history.meta_json` is rewritten by the service while a run is live. It can be missing,
// `null`, an array, or text that is not JSON at all; none of that may break a view.

export type RunMeta = Record<string, unknown>;

/** Strings (kept as they are) or the bare NaN / Infinity / -Infinity tokens Python's json accepts. */
const PYTHON_CONSTANTS = /"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)/g;

function parseObject(text: string): RunMeta | null | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as RunMeta) : null;
  } catch {
    return undefined;
  }
}

/**
 * The parsed object, or `null` when the column does not hold a JSON object. MergeXO reads it with
 * Python's json.loads, which also accepts NaN and ±Infinity (json.dumps writes them for such floats),
 * so a meta holding one still counts; those values read as `null` here (no figure uses them).
 */
export function parseMeta(text: unknown): RunMeta | null {
  if (typeof text !== 'string') return null;
  const parsed = parseObject(text);
  if (parsed !== undefined) return parsed;
  if (!/NaN|Infinity/.test(text)) return null;
  return (
    parseObject(text.replace(PYTHON_CONSTANTS, (token, constant) => (constant ? 'null' : token))) ?? null
  );
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
