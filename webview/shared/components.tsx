// Pieces both pages use. Everything from the database is rendered as text children (Preact escapes
// it), after `safeLine` or `safeBlock` took out control and bidi characters; nothing here ever sets
// innerHTML.
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { safeBlock } from './format';

/** A link that asks the host to open github.com; the page itself never navigates. */
export function LinkButton(props: { onOpen: () => void; label?: string; children: ComponentChildren }) {
  return (
    <button type="button" class="link" onClick={props.onOpen} aria-label={props.label} title={props.label}>
      {props.children}
    </button>
  );
}

export function ActionButton(props: { onClick: () => void; label: string; children: ComponentChildren }) {
  return (
    <vscode-button
      secondary
      class="action"
      role="button"
      onClick={props.onClick}
      aria-label={props.label}
      title={props.label}
    >
      {props.children}
    </vscode-button>
  );
}

/** Text longer than this (or with more lines) is collapsed behind "Show more". */
export const COLLAPSE_CHARS = 240;
export const COLLAPSE_LINES = 3;

export function isLong(text: string): boolean {
  return text.length > COLLAPSE_CHARS || text.split('\n').length > COLLAPSE_LINES;
}

function collapsed(text: string): string {
  const lines = text.split('\n').slice(0, COLLAPSE_LINES).join('\n');
  return `${lines.slice(0, COLLAPSE_CHARS).trimEnd()}…`;
}

export function LongText(props: {
  text: string;
  expanded: boolean;
  onToggle: () => void;
  label: string;
  class?: string;
}) {
  const id = useId();
  const text = safeBlock(props.text);
  const long = isLong(text);
  return (
    <div class={`long-text ${props.class ?? ''}`}>
      <pre id={id} aria-label={props.label}>
        {long && !props.expanded ? collapsed(text) : text}
      </pre>
      {long && (
        <button
          type="button"
          class="link more"
          aria-expanded={props.expanded}
          aria-controls={id}
          onClick={props.onToggle}
        >
          {props.expanded ? 'Show less' : 'Show more'}
        </button>
      )}
    </div>
  );
}

export function Notice(props: { kind?: 'info' | 'warning'; children: ComponentChildren }) {
  return (
    <div class={`notice ${props.kind ?? 'info'}`} role={props.kind === 'warning' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}
