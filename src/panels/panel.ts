// What both panels share on the host: the page (CSP, assets), the ready handshake, message
// validation, re-reading when the page comes back, links and copies through the host.
import * as vscode from 'vscode';
import type { Log } from '../log';
import type { DataSession } from '../host/session';
import type { Parsed } from '../../webview/shared/protocol';
import { PanelChannel, type StateMessage } from './channel';
import { panelPage, type PanelBundle } from './html';
import { linkUrl } from './snapshots';
import type { LinkTarget } from '../../webview/shared/protocol';

export interface PanelContext {
  extensionUri: vscode.Uri;
  session: DataSession;
  log: Log;
}

/** The only folder a panel page may load from: the built webview bundles and their CSS. */
export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

/** No retainContextWhenHidden: a hidden page is dropped and rebuilt from state and a fresh snapshot. */
export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [webviewRoot(extensionUri)], enableFindWidget: true };
}

export abstract class PanelController<Out extends StateMessage, In extends { type: string }>
  implements vscode.Disposable
{
  protected readonly channel: PanelChannel<Out>;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  /** The last snapshot read, for a page rebuilt while the database cannot be read. */
  private lastSnapshot: Out | undefined;
  /** Whether the current page has a snapshot (a rebuilt page starts with none). */
  private pageHasSnapshot = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    protected readonly context: PanelContext,
    bundle: PanelBundle,
    parse: (value: unknown) => Parsed<In>,
  ) {
    const root = webviewRoot(context.extensionUri);
    const webview = panel.webview;
    webview.options = panelOptions(context.extensionUri);
    this.channel = new PanelChannel<Out>((message) => webview.postMessage(message));
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => {
        const parsed = parse(raw);
        if (!parsed.ok) {
          context.log.warn(`Ignored a message from the ${bundle} panel: ${parsed.reason}.`);
          return;
        }
        try {
          this.handle(parsed.message);
        } catch (error) {
          context.log.error(error instanceof Error ? error : String(error));
        }
      }),
      panel.onDidChangeViewState(() => {
        // The page is discarded while hidden; the rebuilt one will post `ready`.
        if (!panel.visible) this.channel.reset();
      }),
      panel.onDidDispose(() => this.dispose()),
      context.session.onDidChangeData(() => this.refresh()),
      context.session.onDidChangeState(() => this.refresh()),
    );
    webview.html = panelPage(
      bundle,
      webview.cspSource,
      (file) => webview.asWebviewUri(vscode.Uri.joinPath(root, file)).toString(),
      panel.title,
    );
  }

  protected abstract handle(message: In): void;

  /** Builds the current state message, or `undefined` when there is nothing new to say. */
  protected abstract read(): Out;

  /** Re-reads and posts, but only to a live page: a hidden one is re-read when it says `ready`. */
  refresh(): void {
    if (this.disposed || !this.panel.visible) return;
    const started = Date.now();
    const message = this.read();
    if (message.type === 'snapshot') {
      this.lastSnapshot = message;
      this.pageHasSnapshot = true;
    } else if (message.type === 'unavailable' && !this.pageHasSnapshot && this.lastSnapshot) {
      // A page rebuilt (shown again) while the file is missing or unreadable shows what the live
      // page would: the last figures read, under the reason they are not current.
      this.channel.send(this.lastSnapshot);
      this.pageHasSnapshot = true;
    }
    this.channel.send(message);
    this.context.log.debug(`Refreshed ${this.panel.title} in ${Date.now() - started} ms.`);
  }

  protected onReady(): void {
    this.channel.markReady();
    this.pageHasSnapshot = false;
    this.refresh();
  }

  protected async openLink(target: LinkTarget): Promise<void> {
    const url = linkUrl(target);
    if (!url) {
      this.context.log.warn(`Refused to open a link with invalid parts (${target.kind}).`);
      return;
    }
    await vscode.env.openExternal(vscode.Uri.parse(url, true));
  }

  protected async copy(text: string, what: string): Promise<void> {
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(`Copied the ${what} to the clipboard.`, 3000);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.onDispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.panel.dispose();
  }

  protected onDispose(): void {}
}
