// Item descriptions for the Roadmaps view: lifecycle counts and the blocked nodes of active
// roadmaps, oldest blocker first, with their age.
import { formatDuration } from '../data/format';
import type { RoadmapBlocker, RoadmapLifecycleCounts } from '../data/types';
import { contextValue, type ItemModel } from './modelItems';
import { escapeMarkdown, field, lines, plainLine } from './modelText';

const LIFECYCLE: [keyof RoadmapLifecycleCounts, string, string][] = [
  ['active', 'Active', 'milestone'],
  ['revision_requested', 'Awaiting revision merge', 'git-pull-request-draft'],
  ['superseded', 'Superseded', 'history'],
  ['abandoned', 'Abandoned', 'circle-slash'],
  ['completed', 'Completed', 'pass'],
];

export function hasRoadmaps(counts: RoadmapLifecycleCounts): boolean {
  return LIFECYCLE.some(([key]) => counts[key] > 0);
}

export function roadmapItems(counts: RoadmapLifecycleCounts, blockers: RoadmapBlocker[]): ItemModel[] {
  const total = LIFECYCLE.reduce((sum, [key]) => sum + counts[key], 0);
  const lifecycle: ItemModel = {
    id: 'roadmaps/lifecycle',
    kind: 'roadmapGroup',
    label: 'Lifecycle',
    description: `${total} roadmaps`,
    icon: { id: 'list-tree' },
    collapsible: 'expanded',
    contextValue: 'mergexo:group+roadmaps',
    children: LIFECYCLE.map(([key, label, icon]) => ({
      id: `roadmaps/lifecycle/${key}`,
      kind: 'roadmapCount' as const,
      label,
      description: String(counts[key]),
      icon: { id: icon },
      contextValue: 'mergexo:roadmapCount',
      accessibilityLabel: `${label}: ${counts[key]}`,
      collapsible: 'none' as const,
    })),
  };
  const multiRepo = new Set(blockers.map((blocker) => blocker.repo_full_name)).size > 1;
  const blocked: ItemModel = {
    id: 'roadmaps/blocked',
    kind: 'roadmapGroup',
    label: `Blocked nodes (${blockers.length})`,
    icon: blockers.length ? { id: 'warning', color: 'list.warningForeground' } : { id: 'check' },
    collapsible: blockers.length ? 'expanded' : 'none',
    contextValue: 'mergexo:group+roadmapBlockers',
    tooltip: escapeMarkdown('Blocked nodes of active roadmaps, oldest first.'),
    children: blockers.map((blocker) => blockerItem(blocker, multiRepo)),
  };
  return [lifecycle, blocked];
}

export function blockerItem(blocker: RoadmapBlocker, multiRepo: boolean): ItemModel {
  const roadmap = String(blocker.roadmap_issue_number);
  const child = blocker.child_issue_number == null ? undefined : Number(blocker.child_issue_number);
  const description = [
    `blocked ${formatDuration(blocker.age_seconds)}`,
    ...(child === undefined ? [] : [`child #${child}`]),
    ...(multiRepo ? [plainLine(blocker.repo_full_name, 60)] : []),
  ].join(' · ');
  return {
    id: `roadmaps/blocker/${blocker.repo_full_name}#${roadmap}/${blocker.node_id}`,
    kind: 'roadmapBlocker',
    label: `#${roadmap} › ${plainLine(blocker.node_id, 60)}`,
    description,
    tooltip: lines([
      `**${escapeMarkdown(blocker.repo_full_name)} roadmap \\#${roadmap}**`,
      field('Node', blocker.node_id),
      field('Blocked since', blocker.blocked_since_at),
      field('Age', formatDuration(blocker.age_seconds)),
      field('Child issue', child === undefined ? null : `#${child}`),
    ]),
    icon: { id: 'warning', color: 'list.warningForeground' },
    contextValue: contextValue('roadmapNode', { hasIssue: true }),
    target:
      child === undefined
        ? { repo: blocker.repo_full_name, issue: Number(blocker.roadmap_issue_number) }
        : { repo: blocker.repo_full_name, issue: child },
    accessibilityLabel: `Roadmap ${roadmap} node ${plainLine(blocker.node_id, 60)}, ${description}`,
    collapsible: 'none',
  };
}
