// Small hooks both panels use: host messages, a ticking clock, and the theme's identity (charts
// drawn on canvas must re-read the colour variables when it changes).
import { useEffect, useState } from 'preact/hooks';

/** Calls `handler` with every message the host posts (`window` `message` events). */
export function useHostMessages<T extends { type: string }>(handler: (message: T) => void): void {
  useEffect(() => {
    const listener = (event: MessageEvent) => {
      const data: unknown = event.data;
      if (
        typeof data === 'object' &&
        data !== null &&
        typeof (data as { type?: unknown }).type === 'string'
      ) {
        handler(data as T);
      }
    };
    window.addEventListener('message', listener);
    return () => window.removeEventListener('message', listener);
  }, [handler]);
}

/** The local clock, re-read every `periodMs` (0 stops ticking). */
export function useTicker(periodMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (periodMs <= 0) return;
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return now;
}

/** Changes whenever VS Code switches theme (it rewrites the body's class and theme attributes). */
export function useThemeKey(): string {
  const read = () => `${document.body.className}|${document.body.getAttribute('data-vscode-theme-id') ?? ''}`;
  const [key, setKey] = useState(read);
  useEffect(() => {
    const observer = new MutationObserver(() => setKey(read()));
    observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id'] });
    return () => observer.disconnect();
  }, []);
  return key;
}
