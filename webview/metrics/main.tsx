// Entry of the metrics page bundle (dist/webview/metrics.js).
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import { render } from 'preact';
import { vscodeHost } from '../shared/host';
import { MetricsApp } from './App';
import type { MetricsFromWebview, MetricsState } from './protocol';

render(
  <MetricsApp host={vscodeHost<MetricsFromWebview, MetricsState>()} />,
  document.getElementById('root')!,
);
