// The timeline panel's messages, shared by the extension host (src/panels/timelinePanel.ts) and the
// webview (webview/timeline). Discriminated on `type`; the host validates every incoming message.
import type { TimelineData, TimelineEventKind, TimelineSubject } from '../../src/data/timeline';
import {
  accepted,
  isItemNumber,
  isRecord,
  isRepoName,
  parseCommonMessage,
  refused,
  type OpenLinkMessage,
  type Parsed,
  type ReadyMessage,
  type UnavailableMessage,
} from '../shared/protocol';

export const TIMELINE_VIEW_TYPE = 'mergexo.timeline';
export const EVENT_KINDS: readonly TimelineEventKind[] = ['run', 'transition', 'command', 'restart'];

export type TimelineSnapshot = TimelineData;

/** `unavailable` names the subject too, so the page can persist it and survive a reload. */
export type TimelineToWebview =
  { type: 'snapshot'; snapshot: TimelineSnapshot } | (UnavailableMessage & { subject: TimelineSubject });

export const COPY_FIELDS = ['runId', 'branch', 'error'] as const;
export type CopyField = (typeof COPY_FIELDS)[number];

/**
 * Copy by reference: the webview names an event (or `null` for the header) and a field, and the
 * host copies that field from the snapshot it sent, so a webview cannot put arbitrary text there.
 */
export type CopyMessage = { type: 'copy'; eventId: string | null; field: CopyField };
export type OpenTimelineMessage = { type: 'openTimeline'; subject: TimelineSubject };
export type TimelineFromWebview = ReadyMessage | OpenLinkMessage | CopyMessage | OpenTimelineMessage;

export function parseSubject(value: unknown): TimelineSubject | null {
  if (!isRecord(value)) return null;
  if (
    (value.kind !== 'issue' && value.kind !== 'pr') ||
    !isRepoName(value.repo) ||
    !isItemNumber(value.number)
  ) {
    return null;
  }
  return { kind: value.kind, repo: value.repo, number: value.number };
}

export function parseTimelineMessage(value: unknown): Parsed<TimelineFromWebview> {
  if (!isRecord(value)) return refused('not an object');
  const common = parseCommonMessage(value);
  if (common) return common;
  if (value.type === 'copy') {
    const eventId = value.eventId;
    if (eventId !== null && (typeof eventId !== 'string' || eventId.length > 300)) {
      return refused('copy with an invalid event id');
    }
    if (!(COPY_FIELDS as readonly unknown[]).includes(value.field))
      return refused('copy of an unknown field');
    return accepted({ type: 'copy', eventId, field: value.field as CopyField });
  }
  if (value.type === 'openTimeline') {
    const subject = parseSubject(value.subject);
    return subject
      ? accepted({ type: 'openTimeline', subject })
      : refused('openTimeline with an invalid subject');
  }
  // Only a string is quoted: String() of an object from the page could throw.
  const type = typeof value.type === 'string' ? value.type : typeof value.type;
  return refused(`unknown message type ${JSON.stringify(type).slice(0, 40)}`);
}

/** The webview's persisted state: which timeline, which events are expanded, which kinds hidden. */
export interface TimelineState {
  subject: TimelineSubject;
  expanded: string[];
  hiddenKinds: TimelineEventKind[];
}

export function parseTimelineState(value: unknown): TimelineState | undefined {
  if (!isRecord(value)) return undefined;
  const subject = parseSubject(value.subject);
  if (!subject) return undefined;
  const strings = (list: unknown) =>
    Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string').slice(0, 500) : [];
  return {
    subject,
    expanded: strings(value.expanded),
    hiddenKinds: strings(value.hiddenKinds).filter((kind): kind is TimelineEventKind =>
      (EVENT_KINDS as readonly string[]).includes(kind),
    ),
  };
}
