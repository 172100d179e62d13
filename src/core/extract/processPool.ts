import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { BrightRunError, cancelledError } from '../errors';
import { ExtractionProcess, processArgs, type ProcessExit } from './extractionProcess';
import { DEFAULT_MAX_MEMORY_MB, DEFAULT_TIME_LIMIT_SECONDS, timeBudgetMs } from './limits';
import { doing, processDeathError } from './processDeath';
import { batchV8Flags, DEFAULT_STALL_MS, PIPELINE_BYTES, RECYCLE_SHARE, defaultCodeCacheDir, defaultOcrWorkers, defaultPoolSize, fileSize, workerScript } from './poolSetup';
import type { PoolOptions, RunOptions, Slot, Task, TaskFacts, TaskOptions } from './poolTypes';
import type { HostOptions, StageName, StageTypes, WorkerRequest, WorkerResponse } from './workerProtocol';

/** Signals whose listener limit the pool has lifted already. */
const unlimited = new WeakSet<AbortSignal>();

/**
 * The process pool of every stage (issue #10: one pool, not one per stage). Tasks — extracting a file, building
 * a document's records, writing an export, … (workerProtocol.ts StageTypes) — run in child processes, so that
 * code that hangs, exhausts memory or crashes the runtime takes down only its own task — never the caller (the
 * extension host, the CLI) — and the caller's event loop stays responsive. Each process runs one task at a time,
 * under the task's budgets: memory (enforced inside the process on its whole resident set, memoryWatchdog.ts),
 * time (grows with pages and size, limits.ts) and no progress for `stallTimeoutMs`. A process that dies fails its
 * task with what happened (processDeath.ts: RESOURCE_LIMIT naming the budget, EXTRACTION_CRASHED or
 * WORKER_CRASHED) and the pool goes on with a new process. Cancellation (the task's signal: a running task's
 * process is killed, and the task settles once that process is gone, so the caller may clean up after it) and
 * progress (`onUnit`, and `onProgress` for a stage that reports a whole Progress) work the same for every stage.
 * Extraction's own scheduling (PDFs split into page ranges, documents written to a store) is ExtractionPool's.
 */
export class ProcessPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private inFlight = 0;
  private closed = false;
  private readonly script: string;
  /** Processes that stopped before they were up, since the last one that came up. */
  private bootFailures = 0;

  constructor(
    protected readonly size = defaultPoolSize(),
    private readonly ocrWorkersPerThread = defaultOcrWorkers(size),
    private readonly limits: PoolOptions = {},
  ) {
    this.script = limits.workerScript ?? workerScript();
    if (!existsSync(this.script)) throw new BrightRunError({ code: 'INTERNAL', message: `The pool's worker script is missing (${this.script}).`, remedy: 'Reinstall Bright Run; if you build from source, run the build first.' });
    process.on('exit', this.killAll);
  }

  /** Processes the pool runs at most. */
  get concurrency(): number {
    return this.size;
  }

  /**
   * Runs a task of any stage: `input` goes to the stage's handler in a process (workerStages.ts) and its result
   * comes back. The pool's budgets, crash handling, cancellation and progress apply as to extraction.
   */
  run<S extends StageName>(stage: S, input: StageTypes[S]['input'], opts: RunOptions): Promise<StageTypes[S]['result']> {
    const memoryMb = this.budgetMb(opts);
    return this.tracked(memoryMb, () => this.enqueue<StageTypes[S]['result']>(stage, input, opts, { memoryMb, subject: opts.subject, size: opts.size, ocr: false, ...(opts.timeLimitSeconds !== undefined ? { timeLimitSeconds: opts.timeLimitSeconds } : {}) }));
  }

  protected enqueue<T>(stage: StageName, input: unknown, opts: TaskOptions, facts: TaskFacts): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the pool is closed'));
    if (opts.signal?.aborted) return Promise.reject(cancelledError());
    // One listener per queued task is expected on a shared signal; set once per signal (it costs ~20 µs a call).
    if (opts.signal && !unlimited.has(opts.signal)) {
      setMaxListeners(0, opts.signal);
      unlimited.add(opts.signal);
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => this.cancel(task);
      const settle = () => opts.signal?.removeEventListener('abort', onAbort);
      const { size, ...rest } = facts;
      const task: Task = {
        id: this.nextId++,
        stage,
        input,
        ...rest,
        ...(size !== undefined ? { size } : {}),
        resolve: ((value: T) => (settle(), resolve(value))) as (value: never) => void,
        reject: (err) => (settle(), reject(err)),
        ...(opts.onUnit ? { onUnit: opts.onUnit } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(opts.onStart ? { onStart: opts.onStart } : {}),
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(task);
      this.pump();
    });
  }

  /**
   * Stops every process at once: on the caller's exit (a second Ctrl-C, process.exit) the processes would otherwise
   * run on until they noticed (their watchdog checks the parent twice a second).
   */
  private readonly killAll = () => {
    for (const s of this.slots) s.worker.terminate();
  };

  async close(): Promise<void> {
    this.closed = true;
    process.off('exit', this.killAll);
    for (const t of this.queue.splice(0)) t.reject(cancelledError());
    await Promise.all(
      this.slots.map(async (s) => {
        this.disarm(s);
        s.task?.reject(cancelledError());
        s.next?.reject(cancelledError());
        s.task = undefined;
        s.next = undefined;
        s.stoppedFor = { retired: true };
        // A graceful exit (OCR workers disposed of, coverage and logs flushed), or a kill after a grace period.
        s.worker.postMessage({ type: 'shutdown' });
        const timeout = new Promise((r) => setTimeout(r, s.ocrUsed ? 2000 : 500).unref());
        if ((await Promise.race([s.worker.exited().then(() => 'exit'), timeout])) !== 'exit') s.worker.terminate();
        return s.worker.exited();
      }),
    );
    this.slots.length = 0;
  }

  /** Starts up to `count` processes now, ahead of any work (a caller that knows work is coming, e.g. the CLI). */
  warm(count = 1, options: { maxMemoryMB?: number } = {}): void {
    while (!this.closed && this.slots.length < Math.min(this.size, count)) this.spawn(this.budgetMb(options));
  }

  /**
   * Counts a task in flight while `work` runs, and starts processes ahead of it (one per task in flight, up to the
   * size), so they boot while the caller reads and hashes its input.
   */
  protected async tracked<T>(memoryMb: number, work: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      while (!this.closed && this.slots.length < Math.min(this.size, this.inFlight)) this.spawn(memoryMb);
      return await work();
    } finally {
      this.inFlight--;
    }
  }

  /** A task's memory budget in MB: its own, else the pool's, else DEFAULT_MAX_MEMORY_MB. */
  protected budgetMb(options: { maxMemoryMB?: number }): number {
    return options.maxMemoryMB ?? this.limits.maxHeapMb ?? DEFAULT_MAX_MEMORY_MB;
  }

  private pump(): void {
    if (this.closed) return;
    // Processes for the work still waiting: one starting per waiting task not yet covered by a starting process,
    // up to the size. After a process failed to start, only while no process is up: such starts then carry a
    // task each, so a broken install fails the tasks one by one instead of restarting processes for ever.
    const up = this.slots.some((s) => s.ready);
    if (this.bootFailures === 0 || !up) {
      let starting = this.slots.filter((s) => !s.ready && !s.task).length;
      while (this.queue.length > starting && this.slots.length < this.size) {
        this.spawn(this.queue[starting]!.memoryMb);
        starting++;
      }
    }
    // Tasks go to idle processes that are up; while none is up yet, to starting ones (the task waits in its pipe).
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.task && !s.stoppedFor && (s.ready || !up));
      if (!slot) return this.pipeline();
      const task = this.queue[0]!;
      if (processArgs(slot.heapMb).join() !== processArgs(task.memoryMb).join()) {
        // A task whose memory budget needs another heap cap gets a process started with it.
        this.stop(slot, { retired: true });
        slot = this.spawn(task.memoryMb);
      }
      slot.heapMb = task.memoryMb;
      this.queue.shift();
      slot.task = task;
      slot.taskStarted = Date.now();
      slot.pages = 0;
      if (task.ocr) slot.ocrUsed = true;
      task.onStart?.();
      // The budgets count from when the process can work on it: a process still starting arms them when ready.
      if (slot.ready) this.armBudgets(slot);
      this.send(slot, task);
    }
  }

  private send(slot: Slot, task: Task): void {
    slot.worker.postMessage({ type: 'task', id: task.id, stage: task.stage, input: task.input, maxMemoryMB: task.memoryMb } as WorkerRequest);
  }

  /** A task that may wait in a busy process's pipe: a small one (not a page count, which is a quick question). */
  private static pipelinable(task: Task | undefined): boolean {
    return !!task && task.stage !== 'count' && task.size !== undefined && task.size < PIPELINE_BYTES;
  }

  /**
   * Sends the next queued small task to a busy process whose running task is small too, so the process never
   * waits on this thread between tasks (issue #13: with one round trip per file, 2 processes kept ~1.1 cores busy).
   */
  private pipeline(): void {
    const task = this.queue[0];
    if (!ProcessPool.pipelinable(task)) return;
    const slot = this.slots.find((s) => s.ready && !s.next && !s.stoppedFor && ProcessPool.pipelinable(s.task) && s.heapMb === task!.memoryMb);
    if (!slot) return;
    this.queue.shift();
    slot.next = task;
    if (task!.ocr) slot.ocrUsed = true;
    this.send(slot, task!);
  }

  /** A process going away hands back the task waiting in its pipe (it never started there). */
  private requeueNext(slot: Slot): void {
    const next = slot.next;
    slot.next = undefined;
    if (next) this.queue.unshift(next);
  }

  private spawn(heapMb: number): Slot {
    const hostOptions: HostOptions = { ocrWorkers: this.ocrWorkersPerThread, memoryLimitMb: heapMb };
    const codeCacheDir = this.limits.codeCacheDir ?? defaultCodeCacheDir();
    if (codeCacheDir) hostOptions.codeCacheDir = codeCacheDir;
    const v8Flags = batchV8Flags();
    if (v8Flags) hostOptions.v8Flags = v8Flags;
    const worker = new ExtractionProcess(this.script, hostOptions, heapMb);
    const slot: Slot = { worker, heapMb };
    worker.on('message', (msg: WorkerResponse) => this.onMessage(slot, msg));
    worker.on('error', (err) => this.onExit(slot, { code: null, signal: null, output: err.message }));
    worker.on('exit', (exit) => this.onExit(slot, exit));
    this.slots.push(slot);
    return slot;
  }

  private onMessage(slot: Slot, msg: WorkerResponse): void {
    if (msg.type === 'ready') {
      slot.ready = true;
      this.bootFailures = 0;
      if (slot.task) {
        slot.taskStarted = Date.now();
        this.armBudgets(slot);
      }
      return this.pump();
    }
    const task = slot.task;
    if (!task || msg.id !== task.id) return;
    if (msg.type === 'progress') {
      this.arm(slot);
      // The time budget grows with the page count, which the first progress message tells.
      if (msg.total !== slot.pages) {
        slot.pages = msg.total;
        this.setDeadline(slot, msg.total);
      }
      task.onUnit?.(msg.done, msg.total);
      if (msg.progress) task.onProgress?.(msg.progress);
      return;
    }
    this.disarm(slot);
    slot.task = undefined;
    if (msg.type === 'done') task.resolve(msg.result as never);
    else task.reject(new BrightRunError(msg.error));
    if ((msg.peakRssMb ?? 0) > slot.heapMb * RECYCLE_SHARE) {
      this.requeueNext(slot);
      this.stop(slot, { retired: true });
    } else if (slot.next) {
      // The process has started the task waiting in its pipe: from now on it is the running one.
      slot.task = slot.next;
      slot.next = undefined;
      slot.taskStarted = Date.now();
      slot.pages = 0;
      slot.task.onStart?.();
      this.armBudgets(slot);
    }
    this.pump();
  }

  /** A process ended: its task (if any) fails with what happened, and the pool goes on. */
  private onExit(slot: Slot, exit: ProcessExit): void {
    this.disarm(slot);
    if (!slot.ready && this.slots.includes(slot)) this.bootFailures++;
    this.remove(slot);
    this.requeueNext(slot);
    const task = slot.task;
    slot.task = undefined;
    if (task && !('cancelled' in (slot.stoppedFor ?? {}))) task.reject(processDeathError(task.subject, slot.heapMb, !!slot.ready, slot.stoppedFor, exit, task.stage));
    this.pump();
  }

  private armBudgets(slot: Slot): void {
    this.arm(slot);
    this.setDeadline(slot, slot.pages ?? 0);
  }

  /**
   * (Re)starts the no-progress watchdog of a busy process: `stallTimeoutMs`, or the task's base time budget when
   * that is longer (tasks that report no units have only this between them and their whole time budget).
   */
  private arm(slot: Slot): void {
    clearTimeout(slot.watchdog);
    const task = slot.task;
    const base = (task?.timeLimitSeconds || DEFAULT_TIME_LIMIT_SECONDS) * 1000;
    const ms = this.limits.stallTimeoutMs ?? Math.max(DEFAULT_STALL_MS, base);
    slot.watchdog = setTimeout(() => {
      if (slot.task) this.stop(slot, { budget: 'time', what: `${doing(slot.task.stage)} it made no progress for ${Math.round(ms / 1000)} s`, limit: 'the limit on time without progress' });
    }, ms);
  }

  /** Sets the time budget of the task in flight, counted from its start: limits.ts timeBudgetMs. */
  private setDeadline(slot: Slot, pages: number): void {
    const task = slot.task;
    if (!task || task.stage === 'count' || task.timeLimitSeconds === 0) return;
    clearTimeout(slot.deadline);
    const budget = timeBudgetMs(task.timeLimitSeconds !== undefined ? { timeLimitSeconds: task.timeLimitSeconds } : {}, task.size ?? 0, pages);
    const left = Math.max(0, slot.taskStarted! + budget - Date.now());
    slot.deadline = setTimeout(() => {
      if (slot.task !== task) return;
      const seconds = Math.round(budget / 1000);
      const sized = `${pages ? `${pages} page${pages === 1 ? '' : 's'}, ` : ''}${fileSize(task.size ?? 0)}`;
      this.stop(slot, { budget: 'time', what: `${doing(task.stage)} it took longer than ${seconds} s`, limit: `its time budget (${seconds} s for ${sized})` });
    }, left);
  }

  private disarm(slot: Slot): void {
    clearTimeout(slot.watchdog);
    clearTimeout(slot.deadline);
  }

  /** Stops a process on purpose; its 'exit' then reports why (a budget) or nothing (cancelled, retired). */
  private stop(slot: Slot, why: NonNullable<Slot['stoppedFor']>): void {
    this.disarm(slot);
    slot.stoppedFor = why;
    if ('retired' in why) this.remove(slot);
    slot.worker.terminate();
  }

  private remove(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
  }

  private cancel(task: Task): void {
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      task.reject(cancelledError());
      return;
    }
    const behind = this.slots.find((s) => s.next === task);
    if (behind) {
      // Not started yet: the process drops it from its pipe (if it has started meanwhile, its reply is ignored).
      behind.next = undefined;
      behind.worker.postMessage({ type: 'drop', id: task.id });
      task.reject(cancelledError());
      return;
    }
    const slot = this.slots.find((s) => s.task === task);
    if (!slot) return;
    slot.task = undefined;
    this.stop(slot, { cancelled: true });
    this.remove(slot);
    // Settled once the process is gone (SIGKILL: milliseconds), so what the task wrote can be cleaned up after it.
    void slot.worker.exited().then(() => task.reject(cancelledError()));
    this.pump();
  }
}
