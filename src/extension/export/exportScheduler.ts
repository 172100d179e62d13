import * as vscode from 'vscode';
import { exportRequestFromConfig, isScheduledRunDue, nextScheduledRun, parseExportSchedule, recordsStateKey, toBrightRunError, watchRecords, type ExportResult, type ExportSchedule, type Project, type RecordsWatch } from '../../core';
import { Disposable } from '../lifecycle';
import type { ProjectStore } from '../projectStore';
import { readExportSettings } from '../settings';
import { exportIdle, runExportJob, type ExportJobDeps } from './exportJob';

/** workspaceState key of the scheduler's memory: see ScheduleState. */
const STATE_KEY = 'brightrun.export.scheduleState';
/**
 * Longest wait between two looks at the clock: a timer set for tomorrow would not notice that the machine slept
 * or the clock was changed; a look every few minutes does, and costs nothing.
 */
const MAX_TIMER_MS = 5 * 60_000;
/** Quiet time after the records change before re-exporting (as `brightrun export --watch`). */
const DEBOUNCE_MS = 2000;

/** What the scheduler remembers per project folder (workspace state), so runs missed while VS Code was closed are caught up. */
interface ScheduleState {
  /** When the scheduled profiles last ran (ISO), or — before the first run — when the schedule was turned on. */
  since?: string;
  /** recordsStateKey of the records the last run exported (onRecordsChange: a change while closed runs once at start-up). */
  recordsKey?: string;
}

/** One scheduled run's outcome per profile: its result, or undefined when it failed, was cancelled or refused (logged). */
export type ScheduledRun = { profile: string; result: ExportResult | undefined }[];

/**
 * The scheduled export (setting `brightrun.export.schedule`, docs/export.md): runs the export profiles of
 * brightrun.json named by `brightrun.export.scheduleProfiles` (default: all) when the records change (debounced),
 * every hour, or daily at `brightrun.export.scheduleTime`, each through runExportJob (a pool process; progress
 * in the status bar). The times are core's pure functions (export/schedule.ts); the last run is kept in the
 * workspace state, so a time missed while VS Code was closed runs once at start-up. Never two exports at once:
 * a due run waits for an export in flight (logged), and a change during a scheduled run queues one more run.
 * Setting changes apply at once.
 */
export class ExportScheduler extends Disposable {
  private schedule: ExportSchedule = { kind: 'off' };
  private timer: NodeJS.Timeout | undefined;
  private watch: RecordsWatch | undefined;
  private readonly abort = new AbortController();
  private running: Promise<ScheduledRun> | undefined;
  private again: string | undefined;
  /** Bumped on every reconfiguration, so a stale async set-up step does not install its watcher. */
  private generation = 0;
  private configuredFor: string | undefined;
  private armed: ExportSchedule['kind'] = 'off';

  constructor(
    private readonly store: ProjectStore,
    private readonly deps: ExportJobDeps,
    private readonly memento: vscode.Memento,
  ) {
    super();
    this._register(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('brightrun.export') && void this.configure()));
    // Another project (or the first one) appearing: the schedule follows it.
    this._register(store.onDidChange(() => this.store.project?.root !== this.configuredFor && void this.configure()));
    this._register({
      dispose: () => {
        this.abort.abort();
        this.stop();
      },
    });
  }

  /** The schedule in force: its timer or records watch is set up ('off' while none is). */
  get active(): ExportSchedule['kind'] {
    return this.armed;
  }

  /** A scheduled run is going (or queued behind an export in flight). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Reads the settings and (re)starts the timer or the records watch; logs what it will do. Never rejects (errors are shown). */
  configure(): Promise<void> {
    return this.configureNow().catch((err) => this.deps.jobs.reportError('Scheduled export', err));
  }

  private async configureNow(): Promise<void> {
    const generation = ++this.generation;
    this.stop();
    const project = this.store.project;
    this.configuredFor = project?.root;
    const settings = readExportSettings();
    let schedule: ExportSchedule;
    try {
      schedule = parseExportSchedule(settings.schedule, settings.scheduleTime);
    } catch (err) {
      this.deps.jobs.reportError('Scheduled export', err);
      schedule = { kind: 'off' };
    }
    const changed = JSON.stringify(schedule) !== JSON.stringify(this.schedule);
    this.schedule = schedule;
    if (!project || schedule.kind === 'off') {
      if (changed) this.deps.log.info('Scheduled export: off.');
      return;
    }
    const state = this.state(project);
    if (schedule.kind === 'onRecordsChange') {
      let watch: RecordsWatch;
      try {
        watch = await watchRecords(project.paths, { debounceMs: DEBOUNCE_MS, onChange: () => void this.runScheduled('the records changed') });
      } catch (err) {
        // E.g. the system's limit on file watches: say so; the schedule stays off until the settings change.
        this.deps.jobs.reportError('Scheduled export (watching the records)', err);
        return;
      }
      if (generation !== this.generation || this.isDisposed) return watch.close();
      this.watch = watch;
      this.armed = 'onRecordsChange';
      if (changed) this.deps.log.info(`Scheduled export: when the records change (${this.profileText()}).`);
      // Records rebuilt or edited while nobody watched: export them once now.
      const key = await recordsStateKey(project.paths);
      if (key && state.recordsKey !== undefined && key !== state.recordsKey) void this.runScheduled('the records changed while VS Code was closed');
      else if (key && state.recordsKey === undefined) await this.saveState(project, { ...state, recordsKey: key });
      return;
    }
    if (!state.since) await this.saveState(project, { ...state, since: new Date().toISOString() });
    if (changed) this.deps.log.info(`Scheduled export: ${schedule.kind === 'hourly' ? 'every hour' : `daily at ${settings.scheduleTime}`} (${this.profileText()}); next at ${nextScheduledRun(schedule, new Date())!.toLocaleString()}.`);
    this.armed = schedule.kind;
    this.tick(generation);
  }

  /**
   * Runs the scheduled profiles now, one after the other (the command "Run Scheduled Exports Now", and every
   * scheduled time). Waits for an export in flight first; a call while a scheduled run is going queues one more.
   */
  async runScheduled(reason: string): Promise<ScheduledRun> {
    if (this.running) {
      this.deps.log.info(`Scheduled export: ${reason} during a scheduled run; one more run is queued.`);
      this.again = reason;
      return this.running;
    }
    this.running = (async () => {
      let outcome: ScheduledRun = [];
      let why: string | undefined = reason;
      while (why !== undefined && !this.abort.signal.aborted) {
        this.again = undefined;
        outcome = await this.runOnce(why);
        why = this.again;
      }
      return outcome;
    })();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async runOnce(reason: string): Promise<ScheduledRun> {
    const project = this.store.project;
    if (!project) return [];
    await this.store.refresh();
    const profiles = this.profiles(project);
    const out: ScheduledRun = [];
    if (!profiles.length) return out;
    const started = new Date();
    const recordsKey = await recordsStateKey(project.paths);
    if (!recordsKey) {
      this.deps.log.info(`Scheduled export (${reason}): there are no training records yet; nothing to export.`);
      return out;
    }
    await this.waitForIdle();
    for (const name of profiles) {
      if (this.abort.signal.aborted) break;
      let result: ExportResult | undefined;
      try {
        const request = exportRequestFromConfig(project.config, { name });
        result = await runExportJob(this.deps, project, request, { background: true, signal: this.abort.signal, reason: `scheduled, ${reason}` });
      } catch (err) {
        this.deps.jobs.reportError(`Scheduled export "${name}"`, err);
      }
      out.push({ profile: name, result });
    }
    await this.saveState(project, { since: started.toISOString(), recordsKey });
    return out;
  }

  private async waitForIdle(): Promise<void> {
    const before = Date.now();
    await exportIdle();
    if (Date.now() - before > 50) this.deps.log.info('Scheduled export: waited for the export in flight to finish.');
  }

  /** The profiles to run: `scheduleProfiles` (unknown names logged and skipped), or every profile of brightrun.json. */
  private profiles(project: Project): string[] {
    const all = (project.config.exports ?? []).map((p) => p.name);
    if (!all.length) {
      this.deps.log.warn('Scheduled export: brightrun.json has no export profiles ("exports"); add one, e.g. {"name": "default", "formats": ["jsonl"]}.');
      return [];
    }
    const wanted = readExportSettings().scheduleProfiles;
    if (!wanted.length) return all;
    const unknown = wanted.filter((n) => !all.includes(n));
    if (unknown.length) this.deps.log.warn(`Scheduled export: brightrun.export.scheduleProfiles names ${unknown.map((n) => `"${n}"`).join(', ')}, which brightrun.json has no profile of (profiles: ${all.join(', ')}); skipped.`);
    return wanted.filter((n) => all.includes(n));
  }

  private profileText(): string {
    const wanted = readExportSettings().scheduleProfiles;
    return wanted.length ? `profiles ${wanted.join(', ')}` : 'every export profile';
  }

  /** Runs when a scheduled time has passed since the last run, then looks again at the next time (at most MAX_TIMER_MS ahead). */
  private tick(generation: number): void {
    if (generation !== this.generation || this.isDisposed) return;
    const project = this.store.project;
    const now = new Date();
    if (project) {
      const since = new Date(this.state(project).since ?? now.toISOString());
      if (!this.running && isScheduledRunDue(this.schedule, since, now)) {
        void this.runScheduled(this.schedule.kind === 'hourly' ? 'hourly' : 'daily').catch((err) => this.deps.log.error(`Scheduled export: ${toBrightRunError(err).message}`));
      }
    }
    const next = nextScheduledRun(this.schedule, now);
    if (!next) return;
    this.timer = setTimeout(() => this.tick(generation), Math.max(1000, Math.min(MAX_TIMER_MS, next.getTime() - now.getTime() + 500)));
  }

  private stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.watch?.close();
    this.watch = undefined;
    this.armed = 'off';
  }

  private state(project: Project): ScheduleState {
    return this.memento.get<Record<string, ScheduleState>>(STATE_KEY, {})[project.root] ?? {};
  }

  private async saveState(project: Project, state: ScheduleState): Promise<void> {
    const all = this.memento.get<Record<string, ScheduleState>>(STATE_KEY, {});
    await this.memento.update(STATE_KEY, { ...all, [project.root]: state });
  }
}
