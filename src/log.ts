// A small logging facade over VS Code's LogOutputChannel. It has no `vscode` import: the channel is
// typed structurally, so pure modules (and plain-Node tests) can take a `Log` too.

export interface LogSink {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(error: string | Error, ...args: unknown[]): void;
}

export interface Log extends LogSink {
  /** A logger whose lines start with `[component]`, so the output channel reads by area. */
  child(component: string): Log;
}

export function createLog(sink: LogSink, component?: string): Log {
  const tag = (message: string) => (component ? `[${component}] ${message}` : message);
  return {
    trace: (message, ...args) => sink.trace(tag(message), ...args),
    debug: (message, ...args) => sink.debug(tag(message), ...args),
    info: (message, ...args) => sink.info(tag(message), ...args),
    warn: (message, ...args) => sink.warn(tag(message), ...args),
    error: (error, ...args) => sink.error(typeof error === 'string' ? tag(error) : error, ...args),
    child: (name) => createLog(sink, component ? `${component}/${name}` : name),
  };
}

/** Discards everything (tests that do not assert on logging). */
export const nullLog: Log = createLog({
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
});

/** Keeps lines in memory; tests assert on what was logged. */
export function memoryLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string | Error) =>
    void lines.push(`${level} ${message instanceof Error ? message.message : message}`);
  const log = createLog({
    trace: push('trace'),
    debug: push('debug'),
    info: push('info'),
    warn: push('warn'),
    error: push('error'),
  });
  return Object.assign(log, { lines });
}
