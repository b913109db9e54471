// One read of the database per change, shared by the status bar, Active Agents and Tracked &
// Blocked (so a hidden view costs nothing), plus the time-based rules that need no read at all:
// stalled agents and whether the MergeXO service is still alive.
import type { DashboardSnapshot } from '../data/database';
import { agentStall, probeService, type ServiceVerdict, type StallVerdict } from '../data/liveness';
import { errorText } from '../data/sqlite';
import type { ActiveAgentDetail } from '../data/types';
import type { Log } from '../log';
import { hasRoadmaps } from '../views/modelRoadmaps';
import { countHealth, type AgentHealth } from '../views/model';
import type { MergexoSession } from './dataSession';
import { Emitter } from './emitter';
import { scanWorktrees, type WorktreeIndex } from './worktree';

export interface DashboardData {
  generation: number;
  snapshot: DashboardSnapshot;
  hasRoadmaps: boolean;
  worktrees: WorktreeIndex;
}

export interface DashboardOptions {
  stallThresholdSeconds(): number;
  /** Probe the writer lock (default on; tests of fixtures may turn it off). */
  probeService?: boolean;
  alive?: (pid: number) => boolean;
}

export class DashboardStore {
  private cache: DashboardData | undefined;
  private service: ServiceVerdict | undefined;
  private lastStalled = -1;
  private lastServiceKey = '';
  private readonly changeEmitter: Emitter<void>;
  private readonly log: Log;
  private readonly subscriptions: { dispose(): void }[] = [];
  /** Fires when anything the dashboard shows may differ (data, scope, state, liveness). */
  readonly onDidChange;

  constructor(
    private readonly session: MergexoSession,
    private readonly options: DashboardOptions,
    log: Log,
  ) {
    this.log = log.child('dashboard');
    this.changeEmitter = new Emitter<void>((error) =>
      this.log.error(`A listener failed: ${errorText(error)}`),
    );
    this.onDidChange = this.changeEmitter.event;
    const changed = () => {
      this.service = undefined;
      this.changeEmitter.fire();
    };
    this.subscriptions.push(
      session.onDidChangeData(changed),
      session.onDidChangeScope(changed),
      session.onDidChangeState(changed),
      session.onDidPoll(() => this.onPoll()),
    );
  }

  /** The shared read, recomputed only when the session's generation moved. */
  current(): DashboardData | undefined {
    if (this.session.state.kind !== 'open') return undefined;
    const generation = this.session.generation;
    if (this.cache?.generation === generation) return this.cache;
    const started = performance.now();
    const result = this.session.withDatabase((db) => {
      const scope = { repo: this.session.repoFilter, nowMs: this.session.now() };
      const snapshot = db.readDashboard(scope, this.session.window);
      const roadmaps = db.queries.roadmapLifecycleCounts(scope);
      return { snapshot, hasRoadmaps: roadmaps.ok && hasRoadmaps(roadmaps.value) };
    });
    if (!result) {
      // While the file is locked, the last read stands (marked stale by the views and status bar).
      const sameScope =
        this.cache?.snapshot.repo === this.session.repoFilter &&
        this.cache.snapshot.window === this.session.window;
      if (this.session.staleSince !== undefined && sameScope) return this.cache;
      return this.cache?.generation === generation ? this.cache : undefined;
    }
    const baseDir = this.session.chosen?.baseDir;
    const agents = result.snapshot.agents.ok ? result.snapshot.agents.value : [];
    const worktrees = baseDir
      ? scanWorktrees(
          baseDir,
          agents.map((agent) => agent.repo_full_name),
        )
      : new Map();
    this.cache = { generation, ...result, worktrees };
    this.lastStalled = this.stalledCount(this.session.now());
    this.log.debug(`Read the dashboard in ${(performance.now() - started).toFixed(1)} ms.`);
    return this.cache;
  }

  /** Is MergeXO running? Probed on demand and re-probed on every poll. */
  serviceVerdict(): ServiceVerdict | undefined {
    if (this.options.probeService === false || this.session.state.kind !== 'open') return undefined;
    if (!this.service) {
      this.service = this.probe();
      this.lastServiceKey = serviceKey(this.service);
    }
    return this.service;
  }

  stall(agent: ActiveAgentDetail, nowMs: number): StallVerdict {
    return agentStall(agent, nowMs, this.options.stallThresholdSeconds());
  }

  health(agent: ActiveAgentDetail, nowMs: number): AgentHealth {
    const service = this.serviceVerdict();
    if (service?.running === 'no' && service.orphanedRuns > 0) {
      return { state: 'orphaned', summary: service.message };
    }
    const stall = this.stall(agent, nowMs);
    return stall.stalled ? { state: 'stalled', summary: stall.text } : { state: 'ok', summary: stall.text };
  }

  /** Stalled and orphaned agents among those shown, as the Active Agents icons tell them apart. */
  healthCounts(nowMs: number): { stalled: number; orphaned: number } {
    const data = this.current();
    if (!data?.snapshot.agents.ok) return { stalled: 0, orphaned: 0 };
    return countHealth(data.snapshot.agents.value, (agent) => this.health(agent, nowMs));
  }

  stalledCount(nowMs: number): number {
    const data = this.current();
    if (!data?.snapshot.agents.ok) return 0;
    return data.snapshot.agents.value.filter((agent) => this.stall(agent, nowMs).stalled).length;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changeEmitter.dispose();
  }

  private probe(): ServiceVerdict | undefined {
    const baseDir = this.session.chosen?.baseDir;
    const data = this.current();
    if (!baseDir || !data) return undefined;
    return probeService(
      baseDir,
      {
        lastWriteMs: this.session.lastWriteMs(),
        nowMs: this.session.now(),
        refreshPeriodMs: this.session.refreshPeriodMs,
        activeRunCount: data.snapshot.totalAgents,
      },
      this.options.alive,
    );
  }

  /** Time passes without writes: a run can become stalled, or the service can be judged gone. */
  private onPoll(): void {
    if (this.session.state.kind !== 'open' || !this.cache) return;
    const after = this.options.probeService === false ? undefined : this.probe();
    this.service = after;
    const key = serviceKey(after);
    const serviceChanged = key !== this.lastServiceKey;
    this.lastServiceKey = key;
    const stalled = this.stalledCount(this.session.now());
    if (serviceChanged && after) this.log.info(after.message);
    if (serviceChanged || stalled !== this.lastStalled) {
      this.lastStalled = stalled;
      this.changeEmitter.fire();
    }
  }
}

function serviceKey(verdict: ServiceVerdict | undefined): string {
  return verdict ? `${verdict.running}/${verdict.orphanedRuns}/${verdict.severity}/${verdict.reason}` : '';
}
