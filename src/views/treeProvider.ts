// A thin TreeDataProvider over item models. It builds only while its view is visible (a hidden
// view runs no queries), keeps one node object per stable id so selection, focus and expansion
// survive refreshes, and fires only the nodes that changed when the shape of the tree did not.
import * as vscode from 'vscode';
import { displaySafe } from '../data/text';
import type { Log } from '../log';
import type { ItemModel } from './modelItems';

export interface TreeNode extends ItemModel {
  parent: TreeNode | undefined;
  children?: TreeNode[];
}

export interface ViewContent {
  items: ItemModel[];
  /** Shown above the tree (`TreeView.message`): an empty list's reason, or a problem. */
  message?: string;
}

const COLLAPSE = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
} as const;

/** Fields whose change needs the item re-rendered. */
function renderKey(item: ItemModel): string {
  return JSON.stringify([
    item.label,
    item.description,
    item.tooltip,
    item.icon,
    item.contextValue,
    item.collapsible,
    item.accessibilityLabel,
  ]);
}

/**
 * How long after a tooltip was asked for the clock alone may not re-render the view: VS Code closes
 * an open tooltip when its item is refreshed, so a per-second elapsed time would make it unreadable.
 */
export const TOOLTIP_HOLD_MS = 20_000;

function shapeKey(items: ItemModel[] | undefined): string {
  return (items ?? []).map((item) => `${item.id}(${shapeKey(item.children)})`).join(',');
}

export class ModelTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private roots: TreeNode[] = [];
  private byId = new Map<string, TreeNode>();
  private dirty = true;
  private view: vscode.TreeView<TreeNode> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Builds run since creation (tests and the log read it: hidden views must not build). */
  builds = 0;
  /** When a tooltip was last resolved (a hover), by `now`. */
  private tooltipAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly viewId: string,
    private readonly build: () => ViewContent,
    private readonly log: Log,
    private readonly now: () => number = Date.now,
  ) {}

  attach(view: vscode.TreeView<TreeNode>): void {
    this.view = view;
    this.disposables.push(
      view.onDidChangeVisibility((event) => {
        if (event.visible && this.dirty) this.changeEmitter.fire(undefined);
      }),
    );
  }

  get visible(): boolean {
    return this.view?.visible ?? false;
  }

  /** Data may have changed: rebuild now if visible, else when the view is shown next. */
  update(): void {
    this.dirty = true;
    if (!this.visible) return;
    const before = shapeKey(this.roots);
    const oldKeys = new Map([...this.byId].map(([id, node]) => [id, renderKey(node)]));
    this.rebuild();
    if (shapeKey(this.roots) !== before) {
      this.changeEmitter.fire(undefined);
      return;
    }
    const changed = [...this.byId.values()].filter((node) => oldKeys.get(node.id) !== renderKey(node));
    if (changed.length) this.changeEmitter.fire(changed);
  }

  /**
   * Only the clock moved (elapsed and relative times): re-render, unless a tooltip was opened in the
   * last {@link TOOLTIP_HOLD_MS}. Data changes go through `update` and are never held back.
   */
  tick(): void {
    if (this.now() - this.tooltipAt < TOOLTIP_HOLD_MS) return;
    this.update();
  }

  /** Nodes currently shown (for `reveal` and tests). */
  node(id: string): TreeNode | undefined {
    return this.byId.get(id);
  }

  get rootNodes(): readonly TreeNode[] {
    return this.roots;
  }

  getChildren(element?: TreeNode): TreeNode[] {
    if (element) return element.children ?? [];
    if (this.dirty) this.rebuild();
    return this.roots;
  }

  getParent(element: TreeNode): TreeNode | undefined {
    return element.parent;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.label, COLLAPSE[node.collapsible ?? 'none']);
    item.id = node.id;
    if (node.description !== undefined) item.description = node.description;
    if (node.icon) {
      item.iconPath = new vscode.ThemeIcon(
        node.icon.id,
        node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined,
      );
    }
    if (node.contextValue) item.contextValue = node.contextValue;
    if (node.accessibilityLabel) item.accessibilityInformation = { label: node.accessibilityLabel };
    if (node.command)
      item.command = { command: node.command.id, title: node.command.title, arguments: node.command.args };
    return item;
  }

  /** Tooltips are built only when hovered. */
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    this.tooltipAt = this.now();
    if (node.tooltip) item.tooltip = safeMarkdown(node.tooltip);
    return item;
  }

  dispose(): void {
    this.changeEmitter.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }

  private rebuild(): void {
    let content: ViewContent;
    const started = performance.now();
    try {
      content = this.build();
    } catch (error) {
      this.log.error(
        `Building ${this.viewId} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      content = { items: [], message: 'Unable to show this view; see the MergeXO log.' };
    }
    this.builds++;
    this.dirty = false;
    const next = new Map<string, TreeNode>();
    const adopt = (item: ItemModel, parent: TreeNode | undefined): TreeNode => {
      // Keep the same object for the same id: VS Code and our commands hold on to nodes.
      const node = this.byId.get(item.id) ?? ({} as TreeNode);
      for (const key of Object.keys(node)) delete (node as unknown as Record<string, unknown>)[key];
      Object.assign(node, item, { parent });
      if (next.has(item.id)) this.log.warn(`Duplicate tree id ${item.id} in ${this.viewId}.`);
      next.set(item.id, node);
      node.children = item.children?.map((child) => adopt(child, node));
      return node;
    };
    this.roots = content.items.map((item) => adopt(item, undefined));
    this.byId = next;
    // Messages can quote paths and config errors: text the user's files control.
    const message = content.message === undefined ? undefined : displaySafe(content.message);
    if (this.view) this.view.message = message;
    this.log.debug(`Built ${this.viewId} in ${(performance.now() - started).toFixed(1)} ms.`);
  }
}

/** Database text inside is already escaped; this also refuses icons, HTML and command links. */
export function safeMarkdown(text: string): vscode.MarkdownString {
  const markdown = new vscode.MarkdownString(text, false);
  markdown.isTrusted = false;
  markdown.supportHtml = false;
  markdown.supportThemeIcons = false;
  return markdown;
}
