// Types for tools/simulate.mjs.
import type { Database } from 'better-sqlite3';
import type { At, MergexoWriter, Rng } from './mergexo-writer.mjs';

export const DEFAULT_REPOS: readonly string[];
export const ACTION_WEIGHTS: Readonly<Record<string, number>>;

export type SimulationOptions = {
  db?: Database;
  writer?: MergexoWriter;
  file?: string;
  rng?: Rng;
  seed?: number;
  repos?: readonly string[];
  clock?: () => number;
  start?: At;
  stepMs?: number;
  workersPerRepo?: number;
  minRunMs?: number;
  mixedFormats?: boolean;
  interruptOnRestart?: boolean;
};

export type LiveRun = {
  run_id: string;
  repo: string;
  issue: number;
  pr: number | null;
  kind: string;
  flow: string | null;
  branch: string | null;
  started_at: string;
  meta_json: string;
};

export class Simulation {
  constructor(o: SimulationOptions);
  readonly writer: MergexoWriter;
  readonly rng: Rng;
  readonly repos: string[];
  readonly counts: Record<string, number>;
  readonly stepsDone: number;
  now(): number;
  liveRuns(): LiveRun[];
  step(): string;
  tick(): number;
  summary(): string;
}

export function simulate(o: SimulationOptions & { steps: number; tickEvery?: number; sim?: Simulation }): {
  sim: Simulation;
  counts: Record<string, number>;
  now: number;
};

export function writeWorkspaceToml(
  workspace: string,
  baseDir: string,
  repos: readonly string[],
): string | null;
export function main(argv: string[]): Promise<number>;
