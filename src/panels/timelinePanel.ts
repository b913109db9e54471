// One timeline panel per issue or PR (opening the same one again reveals it). Copies and links are
// resolved here from the snapshot this panel sent, never from text the page supplies.
import * as vscode from 'vscode';
import type { TimelineSubject } from '../data/timeline';
import { readTimeline } from '../data/timeline';
import {
  TIMELINE_VIEW_TYPE,
  parseTimelineMessage,
  type TimelineFromWebview,
  type TimelineSnapshot,
  type TimelineToWebview,
} from '../../webview/timeline/protocol';
import { PanelController, panelOptions, type PanelContext } from './panel';
import { resolveCopy } from './snapshots';
import { subjectKey, subjectTitle } from './targets';

const COPY_NAMES = { runId: 'run id', branch: 'branch name', error: 'error text' } as const;

export class TimelinePanel extends PanelController<TimelineToWebview, TimelineFromWebview> {
  private static readonly open = new Map<string, TimelinePanel>();
  private last: TimelineSnapshot | undefined;

  static show(context: PanelContext, subject: TimelineSubject): void {
    const existing = TimelinePanel.open.get(subjectKey(subject));
    if (existing) {
      existing.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      TIMELINE_VIEW_TYPE,
      subjectTitle(subject),
      vscode.ViewColumn.Active,
      panelOptions(context.extensionUri),
    );
    new TimelinePanel(panel, context, subject);
  }

  static restore(panel: vscode.WebviewPanel, context: PanelContext, subject: TimelineSubject): void {
    const existing = TimelinePanel.open.get(subjectKey(subject));
    if (existing) {
      // Two restored copies of the same timeline: keep the first.
      panel.dispose();
      return;
    }
    panel.title = subjectTitle(subject);
    new TimelinePanel(panel, context, subject);
  }

  private constructor(
    panel: vscode.WebviewPanel,
    context: PanelContext,
    private readonly subject: TimelineSubject,
  ) {
    super(panel, context, 'timeline', parseTimelineMessage);
    TimelinePanel.open.set(subjectKey(subject), this);
  }

  protected handle(message: TimelineFromWebview): void {
    switch (message.type) {
      case 'ready':
        this.onReady();
        return;
      case 'openLink':
        void this.openLink(message.target);
        return;
      case 'openTimeline':
        TimelinePanel.show(this.context, message.subject);
        return;
      case 'copy': {
        const text = this.last ? resolveCopy(this.last, message.eventId, message.field) : null;
        if (text === null) {
          this.context.log.warn(
            `Nothing to copy for ${message.field} of ${message.eventId ?? 'the header'}.`,
          );
          return;
        }
        void this.copy(text, COPY_NAMES[message.field]);
        return;
      }
    }
  }

  protected read(): TimelineToWebview {
    const { session } = this.context;
    const snapshot = session.withDatabase((db) => readTimeline(db, this.subject, session.now()));
    if (snapshot) {
      this.last = snapshot;
      return { type: 'snapshot', snapshot };
    }
    const state = session.state;
    return {
      type: 'unavailable',
      subject: this.subject,
      message:
        state.kind === 'open' ? 'Unable to read the MergeXO database; see the MergeXO log.' : state.message,
    };
  }

  protected override onDispose(): void {
    if (TimelinePanel.open.get(subjectKey(this.subject)) === this)
      TimelinePanel.open.delete(subjectKey(this.subject));
  }
}
