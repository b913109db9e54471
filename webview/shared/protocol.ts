// Messages every panel shares, and the checks the host runs on anything a webview posts. A webview
// renders database text, so the host treats its messages as untrusted: each field is validated and
// anything unexpected is dropped (and logged) instead of acted on.

/** What a link points at; the host builds the github.com URL from these parts, never from text. */
export type LinkTarget =
  | { kind: 'repo'; repo: string }
  | { kind: 'issue'; repo: string; number: number }
  | { kind: 'pr'; repo: string; number: number }
  | { kind: 'branch'; repo: string; branch: string }
  | { kind: 'commit'; repo: string; sha: string };

export type ReadyMessage = { type: 'ready' };
export type OpenLinkMessage = { type: 'openLink'; target: LinkTarget };

/** Sent by the host when there is no database to read, with the reason to show. */
export type UnavailableMessage = { type: 'unavailable'; message: string };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const REPO = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;

export function isRepoName(value: unknown): value is string {
  return (
    typeof value === 'string' && REPO.test(value) && !value.split('/').some((part) => /^\.+$/.test(part))
  );
}

/** Issue and PR numbers: positive safe integers (GitHub's stay far below 2^53). */
export function isItemNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** A git branch name as `git check-ref-format --branch` would accept it (the parts a URL cares about). */
export function isBranchName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= 255 &&
    !/[\u0000-\u0020\u007f~^:?*[\\]|\.\.|@\{|\/\/|^[/.]|[/.]$|\.lock$/.test(value)
  );
}

export function isSha(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-fA-F]{7,64}$/.test(value);
}

export function parseLinkTarget(value: unknown): LinkTarget | null {
  if (!isRecord(value) || !isRepoName(value.repo)) return null;
  const repo = value.repo;
  switch (value.kind) {
    case 'repo':
      return { kind: 'repo', repo };
    case 'issue':
    case 'pr':
      return isItemNumber(value.number) ? { kind: value.kind, repo, number: value.number } : null;
    case 'branch':
      return isBranchName(value.branch) ? { kind: 'branch', repo, branch: value.branch } : null;
    case 'commit':
      return isSha(value.sha) ? { kind: 'commit', repo, sha: value.sha } : null;
    default:
      return null;
  }
}

/** The outcome of checking one posted message: the typed message, or why it was refused. */
export type Parsed<T> = { ok: true; message: T } | { ok: false; reason: string };

export function refused<T>(reason: string): Parsed<T> {
  return { ok: false, reason };
}

export function accepted<T>(message: T): Parsed<T> {
  return { ok: true, message };
}

/** Checks the parts every panel understands; returns `undefined` for a type it does not know. */
export function parseCommonMessage(
  value: Record<string, unknown>,
): Parsed<ReadyMessage | OpenLinkMessage> | undefined {
  if (value.type === 'ready') return accepted({ type: 'ready' });
  if (value.type === 'openLink') {
    const target = parseLinkTarget(value.target);
    return target ? accepted({ type: 'openLink', target }) : refused('openLink with an invalid target');
  }
  return undefined;
}
