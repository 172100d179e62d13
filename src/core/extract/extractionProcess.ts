// One extraction process, as the pool sees it: a child Node process (fork, IPC with V8 serialization) that
// runs extractWorker.js. Untrusted parsing runs there rather than in a worker thread because a worker thread
// shares its process: a V8 fatal error (heap exhausted in a parser, a failed CHECK), a native crash in the canvas
// or an unbounded allocation in WebAssembly takes the whole process down — the CLI run or the editor's extension
// host (issue #12). A child process dies alone; the pool reads how it died and fails only that file.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { getHeapStatistics } from 'node:v8';
import type { HostOptions, WorkerRequest, WorkerResponse } from './workerProtocol';

/** How a process ended: its exit code or signal, and the tail of what it wrote to stdout/stderr (for the log). */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Bytes of the process's output kept for diagnosis (the log), the newest ones. */
const OUTPUT_TAIL = 8192;

export interface ExtractionProcessEvents {
  message: [WorkerResponse];
  /** The process could not be started (e.g. the runtime binary is missing). */
  error: [Error];
  /** The process ended and its output streams are closed. */
  exit: [ProcessExit];
}

/**
 * The command line of an extraction process. Node's default JavaScript heap limit is left alone unless the memory
 * budget is larger: any changed V8 flag makes V8 reject the code cache built into Node, which costs a process
 * ~25 ms to start (docs/decisions.md), and the watchdog in the process enforces the budget on the whole resident
 * set anyway. A budget above the default limit raises it, so that the heap is not what stops a file first.
 */
export function processArgs(heapMb: number, defaultHeapMb = getHeapStatistics().heap_size_limit / 1048576): string[] {
  return heapMb > defaultHeapMb ? [`--max-old-space-size=${heapMb}`] : [];
}

/**
 * The environment of an extraction process: the caller's, run as plain Node inside an editor (process.execPath is
 * then the editor's Electron binary; language clients do the same), without NODE_EXTRA_CA_CERTS: Node parses that
 * bundle at every start (measured +65 ms a process on this VM, where it is set), and extraction makes no network
 * connection.
 */
export function processEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _unused, ...rest } = env;
  return { ...rest, ELECTRON_RUN_AS_NODE: '1' };
}

export class ExtractionProcess extends EventEmitter<ExtractionProcessEvents> {
  private readonly child: ChildProcess;
  private output = '';
  private ended = false;

  constructor(script: string, options: HostOptions, heapMb: number) {
    super();
    this.child = fork(script, [JSON.stringify(options)], {
      execArgv: processArgs(heapMb),
      env: processEnv(),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
      // No console window on Windows (fork passes it on to spawn; @types/node leaves it out of ForkOptions).
      ...({ windowsHide: true } as object),
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.on('message', (msg: WorkerResponse) => this.emit('message', msg));
    this.child.on('error', (err) => {
      // 'error' also follows a failed kill or send; only a process that never ran is reported as such.
      if (this.child.pid === undefined && !this.ended) {
        this.ended = true;
        this.emit('error', err);
      }
    });
    this.child.on('close', (code, signal) => {
      if (this.ended) return;
      this.ended = true;
      this.emit('exit', { code, signal, output: this.output });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  postMessage(msg: WorkerRequest): void {
    if (!this.child.connected) return;
    // A process that died meanwhile is reported by 'exit'; the failed send itself says nothing more.
    this.child.send(msg, (err) => void err);
  }

  /** Stops the process at once (SIGKILL; TerminateProcess on Windows). */
  terminate(): void {
    if (!this.ended) this.child.kill('SIGKILL');
  }

  /** Resolves when the process has ended (immediately if it has). */
  exited(): Promise<void> {
    return this.ended ? Promise.resolve() : new Promise((resolve) => this.once('exit', () => resolve()));
  }
}
