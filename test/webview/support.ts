// Helpers for the page tests: a recording stand-in for VS Code's webview API, snapshots built from
// the fixture database through the same functions the host uses, and host-to-page delivery.
import { act } from '@testing-library/preact';
import { MergexoDatabase } from '../../src/data/database';
import { readTimeline, type TimelineSubject } from '../../src/data/timeline';
import { parseTimestamp } from '../../src/data/timestamps';
import type { MetricsWindow } from '../../src/data/types';
import { readMetricsSnapshot } from '../../src/panels/snapshots';
import type { HostApi } from '../../webview/shared/host';
import type { MetricsSnapshot } from '../../webview/metrics/protocol';
import type { TimelineSnapshot } from '../../webview/timeline/protocol';
import { fixturePath } from '../support/fixtures';

export const FIXTURE_NOW = parseTimestamp('2026-03-15T12:00:00.000Z')!;

export interface RecordingHost<Out, State> extends HostApi<Out, State> {
  posted: Out[];
  state: unknown;
}

export function recordingHost<Out, State>(initialState?: unknown): RecordingHost<Out, State> {
  const host: RecordingHost<Out, State> = {
    posted: [],
    state: initialState,
    postMessage(message) {
      // The real channel serializes; a message that cannot cross it must fail here too.
      host.posted.push(JSON.parse(JSON.stringify(message)) as Out);
    },
    getState: () => host.state,
    setState(state) {
      host.state = JSON.parse(JSON.stringify(state));
    },
  };
  return host;
}

/** Delivers a message the way VS Code does: a `message` event on the page's window. */
export async function fromHost(message: unknown): Promise<void> {
  await act(() => {
    window.dispatchEvent(new MessageEvent('message', { data: JSON.parse(JSON.stringify(message)) }));
  });
}

function withFixture<T>(read: (db: MergexoDatabase) => T): T {
  const db = MergexoDatabase.open(fixturePath('small.db'));
  try {
    return read(db);
  } finally {
    db.close();
  }
}

export function metricsSnapshot(window: MetricsWindow, repo: string | null = null): MetricsSnapshot {
  return withFixture((db) => readMetricsSnapshot(db, { window, repo }, FIXTURE_NOW));
}

export function timelineSnapshot(subject: TimelineSubject): TimelineSnapshot {
  return withFixture((db) => readTimeline(db, subject, FIXTURE_NOW));
}
