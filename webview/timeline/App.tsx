// The timeline page of one issue or PR: a header with the subject's current state and links, kind
// filters, and the newest-first list of runs, PR transitions, operator commands and restarts.
// Running runs count up locally from the snapshot's elapsed time (no host round trip per second).
import { useCallback, useEffect, useState } from 'preact/hooks';
import type {
  CommandEvent,
  RestartEvent,
  RunEvent,
  TimelineEvent,
  TimelineEventKind,
  TransitionEvent,
} from '../../src/data/timeline';
import { parseTimestamp } from '../../src/data/timestamps';
import { ActionButton, LinkButton, LongText, Notice } from '../shared/components';
import { absoluteTime, formatDuration, plural, relativeTime, safeLine, sentences } from '../shared/format';
import { useHostMessages, useTicker } from '../shared/hooks';
import type { HostApi } from '../shared/host';
import type { LinkTarget } from '../shared/protocol';
import {
  EVENT_KINDS,
  parseTimelineState,
  type CopyField,
  type TimelineFromWebview,
  type TimelineSnapshot,
  type TimelineState,
  type TimelineToWebview,
} from './protocol';

export type TimelineHost = HostApi<TimelineFromWebview, TimelineState>;

const KIND_LABELS: Record<TimelineEventKind, string> = {
  run: 'Agent runs',
  transition: 'PR transitions',
  command: 'Operator commands',
  restart: 'Service restarts',
};

interface Actions {
  repo: string;
  /** In a PR's own timeline its number is plain text, not a link to itself. */
  subjectPr: number | null;
  open: (target: LinkTarget) => void;
  copy: (eventId: string | null, field: CopyField) => void;
  timeline: (kind: 'issue' | 'pr', number: number) => void;
  isExpanded: (key: string) => boolean;
  toggle: (key: string) => void;
  nowMs: number;
}

function When(props: { at: string; atMs: number | null; nowMs: number }) {
  return (
    <time class="when" dateTime={safeLine(props.at)} title={absoluteTime(props.at, props.atMs)}>
      {relativeTime(props.atMs, props.nowMs)}
    </time>
  );
}

function Status(props: { value: string | null; tone?: string }) {
  if (!props.value) return null;
  return (
    <span class={`status status-${props.tone ?? props.value.replace(/[^a-z_]/gi, '')}`}>
      {safeLine(props.value, 100)}
    </span>
  );
}

function PrRef(props: { number: number; actions: Actions }) {
  const { actions, number } = props;
  if (number === actions.subjectPr) return <span class="ref">PR #{number}</span>;
  return (
    <span class="ref">
      <LinkButton onOpen={() => actions.timeline('pr', number)} label={`Show the history of PR #${number}`}>
        PR #{number}
      </LinkButton>
      <LinkButton
        onOpen={() => actions.open({ kind: 'pr', repo: actions.repo, number })}
        label={`Open PR #${number} on GitHub`}
      >
        ↗
      </LinkButton>
    </span>
  );
}

function RunItem(props: { event: RunEvent; actions: Actions; localDeltaMs: number }) {
  const { event, actions } = props;
  const running = event.state !== 'finished';
  // Rounded to the millisecond: julianday arithmetic leaves 719.99999 s for a 12-minute run.
  const elapsed =
    event.elapsedSeconds === null
      ? null
      : Math.round(event.elapsedSeconds * 1000 + props.localDeltaMs) / 1000;
  return (
    <>
      <div class="headline">
        <span class="kind">Run</span> <strong>{safeLine(event.runKind, 100)}</strong>
        {event.flow && <span class="muted"> ({safeLine(event.flow, 100)})</span>}{' '}
        {event.state === 'running' && (
          <span class="status status-running" role="timer" aria-live="off">
            running for {formatDuration(elapsed)}
          </span>
        )}
        {event.state === 'stale' && (
          <span class="status status-stale" title="No finish recorded, and its agent is not active.">
            unfinished, agent not active ({formatDuration(elapsed)})
          </span>
        )}
        {!running && <Status value={event.terminalStatus} />}
        {event.failureClass && <span class="failure-class">{safeLine(event.failureClass, 100)}</span>}
      </div>
      <dl class="facts">
        <dt>Started</dt>
        <dd>
          <When at={event.startedAt} atMs={parseTimestamp(event.startedAt)} nowMs={actions.nowMs} />
        </dd>
        {event.finishedAt && (
          <>
            <dt>Duration</dt>
            <dd>{formatDuration(event.durationSeconds)}</dd>
          </>
        )}
        {event.prNumber !== null && (
          <>
            <dt>PR</dt>
            <dd>
              <PrRef number={event.prNumber} actions={actions} />
            </dd>
          </>
        )}
        {event.branch && (
          <>
            <dt>Branch</dt>
            <dd class="inline-actions">
              <LinkButton
                onOpen={() => actions.open({ kind: 'branch', repo: actions.repo, branch: event.branch! })}
                label={`Open branch ${safeLine(event.branch)} on GitHub`}
              >
                <code>{safeLine(event.branch)}</code>
              </LinkButton>
              <ActionButton onClick={() => actions.copy(event.id, 'branch')} label="Copy the branch name">
                Copy
              </ActionButton>
            </dd>
          </>
        )}
        <dt>Run id</dt>
        <dd class="inline-actions">
          <code>{safeLine(event.runId)}</code>
          <ActionButton onClick={() => actions.copy(event.id, 'runId')} label="Copy the run id">
            Copy
          </ActionButton>
        </dd>
      </dl>
      {event.error && (
        <div class="error-block">
          <div class="error-head">
            <span>Error</span>
            <ActionButton onClick={() => actions.copy(event.id, 'error')} label="Copy the error text">
              Copy error
            </ActionButton>
          </div>
          <LongText
            text={event.error}
            class="error"
            label="Error text"
            expanded={actions.isExpanded(`${event.id}:error`)}
            onToggle={() => actions.toggle(`${event.id}:error`)}
          />
        </div>
      )}
    </>
  );
}

function TransitionItem(props: { event: TransitionEvent; actions: Actions }) {
  const { event, actions } = props;
  return (
    <>
      <div class="headline">
        <span class="kind">PR</span> <PrRef number={event.prNumber} actions={actions} />{' '}
        <span class="transition">
          <Status value={event.fromStatus ?? 'new'} tone={event.fromStatus ? undefined : 'new'} />
          <span aria-label="to"> → </span>
          <Status value={event.toStatus} />
        </span>
      </div>
      {event.reason && (
        <dl class="facts">
          <dt>Reason</dt>
          <dd>{safeLine(event.reason, 2000)}</dd>
        </dl>
      )}
      {event.detail && (
        <LongText
          text={event.detail}
          label="Transition detail"
          expanded={actions.isExpanded(`${event.id}:detail`)}
          onToggle={() => actions.toggle(`${event.id}:detail`)}
        />
      )}
    </>
  );
}

function CommandItem(props: { event: CommandEvent; actions: Actions }) {
  const { event, actions } = props;
  return (
    <>
      <div class="headline">
        <span class="kind">Command</span> <code>/mergexo {safeLine(event.command)}</code>{' '}
        <span class="muted">by {safeLine(event.author, 100)}</span> <Status value={event.status} />
      </div>
      <dl class="facts">
        {event.prNumber !== null && (
          <>
            <dt>On</dt>
            <dd>
              <PrRef number={event.prNumber} actions={actions} />
            </dd>
          </>
        )}
      </dl>
      {event.result && (
        <LongText
          text={event.result}
          label="Command result"
          expanded={actions.isExpanded(`${event.id}:result`)}
          onToggle={() => actions.toggle(`${event.id}:result`)}
        />
      )}
    </>
  );
}

function RestartItem(props: { event: RestartEvent; actions: Actions }) {
  const { event, actions } = props;
  return (
    <>
      <div class="headline">
        <span class="kind">Service</span> <strong>{safeLine(event.opName, 100)}</strong>
        {event.mode && <span class="muted"> ({safeLine(event.mode, 100)})</span>}{' '}
        <Status value={event.status} />
      </div>
      <dl class="facts">
        <dt>Requested by</dt>
        <dd>
          {safeLine(event.requestedBy, 100) || 'unknown'}
          {event.requestRepo && <span class="muted"> in {safeLine(event.requestRepo, 200)}</span>}
        </dd>
      </dl>
      {event.detail && (
        <LongText
          text={event.detail}
          label="Operation detail"
          expanded={actions.isExpanded(`${event.id}:detail`)}
          onToggle={() => actions.toggle(`${event.id}:detail`)}
        />
      )}
    </>
  );
}

function EventItem(props: { event: TimelineEvent; actions: Actions; localDeltaMs: number }) {
  const { event, actions } = props;
  const tone =
    event.kind === 'run'
      ? event.state === 'finished'
        ? (event.terminalStatus ?? 'unknown')
        : event.state
      : event.kind === 'transition'
        ? event.toStatus
        : event.status;
  return (
    <li class={`event event-${event.kind} tone-${tone.replace(/[^a-z_]/gi, '')}`}>
      <span class="dot" aria-hidden="true" />
      <When at={event.at} atMs={event.atMs} nowMs={actions.nowMs} />
      <div class="body">
        {event.kind === 'run' && (
          <RunItem event={event} actions={actions} localDeltaMs={props.localDeltaMs} />
        )}
        {event.kind === 'transition' && <TransitionItem event={event} actions={actions} />}
        {event.kind === 'command' && <CommandItem event={event} actions={actions} />}
        {event.kind === 'restart' && <RestartItem event={event} actions={actions} />}
      </div>
    </li>
  );
}

function Header(props: { snapshot: TimelineSnapshot; actions: Actions }) {
  const { snapshot, actions } = props;
  const { subject, header } = snapshot;
  const isIssue = subject.kind === 'issue';
  return (
    <header class="subject">
      <h1>
        {isIssue ? 'Issue' : 'PR'} #{subject.number} <span class="muted">{safeLine(subject.repo, 200)}</span>
      </h1>
      <div class="subject-facts">
        <Status value={header.status ?? 'not tracked'} tone={header.status ?? 'none'} />
        {header.githubState && <span class="muted">GitHub: {safeLine(header.githubState, 100)}</span>}
        <LinkButton
          onOpen={() => actions.open({ kind: subject.kind, repo: subject.repo, number: subject.number })}
          label={`Open ${isIssue ? 'issue' : 'PR'} #${subject.number} on GitHub`}
        >
          Open on GitHub ↗
        </LinkButton>
      </div>
      <dl class="facts">
        {!isIssue && header.issueNumber !== null && (
          <>
            <dt>Issue</dt>
            <dd class="inline-actions">
              <LinkButton
                onOpen={() => actions.timeline('issue', header.issueNumber!)}
                label={`Show the history of issue #${header.issueNumber}`}
              >
                #{header.issueNumber}
              </LinkButton>
              <LinkButton
                onOpen={() =>
                  actions.open({ kind: 'issue', repo: subject.repo, number: header.issueNumber! })
                }
                label={`Open issue #${header.issueNumber} on GitHub`}
              >
                ↗
              </LinkButton>
            </dd>
          </>
        )}
        {isIssue && header.prNumbers.length > 0 && (
          <>
            <dt>{header.prNumbers.length === 1 ? 'PR' : 'PRs'}</dt>
            <dd class="inline-actions">
              {header.prNumbers.map((number) => (
                <PrRef key={number} number={number} actions={actions} />
              ))}
            </dd>
          </>
        )}
        {header.branch && (
          <>
            <dt>Branch</dt>
            <dd class="inline-actions">
              <LinkButton
                onOpen={() => actions.open({ kind: 'branch', repo: subject.repo, branch: header.branch! })}
                label={`Open branch ${safeLine(header.branch)} on GitHub`}
              >
                <code>{safeLine(header.branch)}</code>
              </LinkButton>
              <ActionButton onClick={() => actions.copy(null, 'branch')} label="Copy the branch name">
                Copy
              </ActionButton>
            </dd>
          </>
        )}
        {header.headSha && (
          <>
            <dt>Head</dt>
            <dd>
              <LinkButton
                onOpen={() => actions.open({ kind: 'commit', repo: subject.repo, sha: header.headSha! })}
                label={`Open commit ${safeLine(header.headSha, 100)} on GitHub`}
              >
                <code>{safeLine(header.headSha.slice(0, 12))}</code>
              </LinkButton>
            </dd>
          </>
        )}
      </dl>
    </header>
  );
}

export function TimelineApp(props: { host: TimelineHost }) {
  const { host } = props;
  const [saved] = useState(() => parseTimelineState(host.getState()));
  const [snapshot, setSnapshot] = useState<TimelineSnapshot | null>(null);
  const [receivedAt, setReceivedAt] = useState(() => Date.now());
  const [unavailable, setUnavailable] = useState<Extract<TimelineToWebview, { type: 'unavailable' }> | null>(
    null,
  );
  const [expanded, setExpanded] = useState<string[]>(saved?.expanded ?? []);
  const [hidden, setHidden] = useState<TimelineEventKind[]>(saved?.hiddenKinds ?? []);

  const onMessage = useCallback((message: TimelineToWebview) => {
    if (message.type === 'snapshot') {
      setSnapshot(message.snapshot);
      setReceivedAt(Date.now());
      setUnavailable(null);
    } else if (message.type === 'unavailable') {
      setUnavailable(message);
    }
  }, []);
  useHostMessages(onMessage);
  useEffect(() => host.postMessage({ type: 'ready' }), [host]);

  const subject = snapshot?.subject ?? unavailable?.subject ?? saved?.subject;
  useEffect(() => {
    if (subject) host.setState({ subject, expanded, hiddenKinds: hidden });
  }, [host, subject?.kind, subject?.repo, subject?.number, expanded, hidden]);

  const running =
    snapshot?.events.some((event) => event.kind === 'run' && event.state !== 'finished') ?? false;
  const localNow = useTicker(running ? 1000 : 30_000);

  if (!snapshot) {
    return (
      <main aria-busy={unavailable ? undefined : 'true'}>
        <h1>{subject ? `${subject.kind === 'issue' ? 'Issue' : 'PR'} #${subject.number}` : 'History'}</h1>
        {unavailable ? (
          <Notice kind="warning">{safeLine(unavailable.message, 2000)}</Notice>
        ) : (
          <p class="loading">Loading…</p>
        )}
      </main>
    );
  }

  const localDeltaMs = Math.max(0, localNow - receivedAt);
  const actions: Actions = {
    repo: snapshot.subject.repo,
    subjectPr: snapshot.subject.kind === 'pr' ? snapshot.subject.number : null,
    nowMs: snapshot.nowMs + localDeltaMs,
    open: (target) => host.postMessage({ type: 'openLink', target }),
    copy: (eventId, field) => host.postMessage({ type: 'copy', eventId, field }),
    timeline: (kind, number) =>
      host.postMessage({ type: 'openTimeline', subject: { kind, repo: snapshot.subject.repo, number } }),
    isExpanded: (key) => expanded.includes(key),
    toggle: (key) =>
      setExpanded((current) =>
        current.includes(key) ? current.filter((item) => item !== key) : [...current, key],
      ),
  };
  const counts = new Map<TimelineEventKind, number>();
  for (const event of snapshot.events) counts.set(event.kind, (counts.get(event.kind) ?? 0) + 1);
  const shown = snapshot.events.filter((event) => !hidden.includes(event.kind));

  return (
    <main>
      <Header snapshot={snapshot} actions={actions} />
      {unavailable && (
        <Notice kind="warning">
          {sentences(safeLine(unavailable.message, 2000), 'Showing the last history read.')}
        </Notice>
      )}
      {snapshot.gaps.length > 0 && (
        <Notice>
          Parts of the history are not in this database (written by an older MergeXO):
          <ul>
            {snapshot.gaps.map((gap) => (
              <li key={gap.message}>{safeLine(gap.message)}</li>
            ))}
          </ul>
        </Notice>
      )}
      <fieldset class="filters">
        <legend>Show</legend>
        {EVENT_KINDS.map((kind) => (
          <vscode-checkbox
            key={kind}
            value={kind}
            checked={!hidden.includes(kind)}
            data-kind={kind}
            onChange={(event: Event) => {
              const checked = (event.target as HTMLElement & { checked?: boolean }).checked === true;
              setHidden((current) =>
                checked
                  ? current.filter((item) => item !== kind)
                  : [...current.filter((item) => item !== kind), kind],
              );
            }}
          >
            {KIND_LABELS[kind]} ({counts.get(kind) ?? 0})
          </vscode-checkbox>
        ))}
      </fieldset>
      {snapshot.events.length === 0 ? (
        <p class="empty">
          No history for this {snapshot.subject.kind === 'issue' ? 'issue' : 'pull request'} in the database.
        </p>
      ) : shown.length === 0 ? (
        <p class="empty">
          {plural(snapshot.events.length, 'event')} hidden: every kind of event is unticked under “Show”.
        </p>
      ) : (
        <ol class="timeline" aria-label={`History, newest first: ${plural(shown.length, 'event')}`}>
          {shown.map((event) => (
            <EventItem key={event.id} event={event} actions={actions} localDeltaMs={localDeltaMs} />
          ))}
        </ol>
      )}
      {snapshot.truncated && <p class="muted">Older events are not shown (limit reached).</p>}
    </main>
  );
}
