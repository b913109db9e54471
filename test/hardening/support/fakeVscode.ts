// The small part of the `vscode` API the tree provider, the status bar and the panels touch, for
// `vi.mock('vscode', …)` in plain-Node tests. It records what would leave the process: URLs handed to
// the OS, clipboard writes, webview panels created.

export class MarkdownString {
  isTrusted: boolean | { enabledCommands: string[] } = false;
  supportHtml = false;
  supportThemeIcons = false;
  constructor(
    public value = '',
    supportThemeIcons = false,
  ) {
    this.supportThemeIcons = supportThemeIcons;
  }
}

export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 } as const;

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: unknown;
  iconPath?: unknown;
  contextValue?: string;
  command?: unknown;
  accessibilityInformation?: unknown;
  constructor(
    public label: string,
    public collapsibleState = 0,
  ) {}
}

export class ThemeIcon {
  constructor(
    public id: string,
    public color?: unknown,
  ) {}
}

export class ThemeColor {
  constructor(public id: string) {}
}

export class EventEmitter<T> {
  private listeners: Array<(value: T) => void> = [];
  event = (listener: (value: T) => void) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(value: T) {
    for (const listener of this.listeners) listener(value);
  }
  dispose() {
    this.listeners = [];
  }
}

export class Uri {
  private constructor(readonly text: string) {}
  static parse(text: string, strict?: boolean): Uri {
    if (strict && !/^[a-z][a-z0-9+.-]*:/i.test(text)) throw new Error(`not a URI: ${text}`);
    return new Uri(text);
  }
  static file(path: string): Uri {
    return new Uri(`file://${path}`);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri([base.text, ...parts].join('/'));
  }
  toString(): string {
    return this.text;
  }
}

export const ViewColumn = { Active: -1, Beside: -2 } as const;

/** Everything that would leave the extension: opened URLs, clipboard text, created panels. */
export const recorded = {
  opened: [] as string[],
  clipboard: [] as string[],
  panels: [] as unknown[],
  statusMessages: [] as string[],
};

export const env = {
  openExternal: async (uri: Uri) => {
    recorded.opened.push(uri.toString());
    return true;
  },
  clipboard: {
    writeText: async (text: string) => {
      recorded.clipboard.push(text);
    },
  },
};

export const window = {
  setStatusBarMessage: (text: string) => {
    recorded.statusMessages.push(text);
    return { dispose() {} };
  },
  createWebviewPanel: (...args: unknown[]) => {
    recorded.panels.push(args);
    return fakePanel(String(args[1]));
  },
};

export interface FakePanel {
  title: string;
  visible: boolean;
  posted: unknown[];
  /** Delivers a message as if the page had posted it. */
  receive(message: unknown): void;
  webview: Record<string, unknown>;
  reveal(): void;
  dispose(): void;
  onDidChangeViewState: (listener: () => void) => { dispose(): void };
  onDidDispose: (listener: () => void) => { dispose(): void };
}

/** A webview panel whose page is the test: `receive` plays the page, `posted` is what it was sent. */
export function fakePanel(title: string): FakePanel {
  const receivers: Array<(message: unknown) => void> = [];
  const disposers: Array<() => void> = [];
  const panel: FakePanel = {
    title,
    visible: true,
    posted: [],
    receive: (message) => {
      for (const receiver of receivers) receiver(message);
    },
    webview: {
      options: {},
      html: '',
      cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
      asWebviewUri: (uri: Uri) => uri,
      postMessage: async (message: unknown) => {
        panel.posted.push(message);
        return true;
      },
      onDidReceiveMessage: (listener: (message: unknown) => void) => {
        receivers.push(listener);
        return { dispose() {} };
      },
    },
    reveal() {},
    dispose() {
      for (const disposer of disposers.splice(0)) disposer();
    },
    onDidChangeViewState: () => ({ dispose() {} }),
    onDidDispose: (listener) => {
      disposers.push(listener);
      return { dispose() {} };
    },
  };
  return panel;
}
