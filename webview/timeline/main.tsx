// Entry of the timeline page bundle (dist/webview/timeline.js).
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import { render } from 'preact';
import { vscodeHost } from '../shared/host';
import { TimelineApp } from './App';
import type { TimelineFromWebview, TimelineState } from './protocol';

render(
  <TimelineApp host={vscodeHost<TimelineFromWebview, TimelineState>()} />,
  document.getElementById('root')!,
);
