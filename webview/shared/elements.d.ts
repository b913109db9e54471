// JSX types for the @vscode-elements custom elements the pages use. Each bundle registers the ones
// it needs in its main.tsx; component tests render them as plain unknown elements.
import type { JSX } from 'preact';

type Base = JSX.HTMLAttributes<HTMLElement>;

declare module 'preact' {
  namespace JSX {
    interface IntrinsicElements {
      'vscode-radio-group': Base & { variant?: 'horizontal' | 'vertical' };
      'vscode-radio': Base & { name?: string; value?: string; label?: string; checked?: boolean };
      'vscode-button': Base & { secondary?: boolean; disabled?: boolean };
      'vscode-checkbox': Base & { checked?: boolean; label?: string; value?: string };
      'vscode-badge': Base & {
        variant?: 'default' | 'counter' | 'activity-bar-counter' | 'tab-header-counter';
      };
    }
  }
}
