import * as readline from 'node:readline';
import { runCli } from './main';

/** A yes/no question on the terminal (only when both stdin and stderr are one); Ctrl-C while asking counts as no. */
function confirm(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    let answered = false;
    rl.on('close', () => answered || resolve(false));
    rl.question(`${question} [y/N] `, (answer) => {
      answered = true;
      rl.close();
      resolve(/^y(es)?$/i.test(answer.trim()));
    });
  });
}

// Entry point of the `brightrun` executable (dist/cli.js).
const controller = new AbortController();
let interrupted = false;
// Ctrl-C, a terminal closed, `kill`, a CI job cancelled or `docker stop`: the run stops as cancelled (work in flight
// goes back to queued, nothing half-written is left), so a stopped run is never counted as a file's crash. A second
// signal leaves at once (the extraction processes are stopped on exit).
for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(status);
    interrupted = true;
    controller.abort();
  });
}
// Output piped into a program that stops reading (`brightrun extract … --json | head -1`): stop the run as
// Ctrl-C would (work in flight is cancelled, nothing half-written is left), write nothing more, and exit 141,
// the status of a Unix tool stopped by SIGPIPE, so `set -o pipefail` sees the run did not finish.
let pipeClosed = false;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    pipeClosed = true;
    controller.abort();
  });
}
runCli(
  process.argv.slice(2),
  {
    out: (t) => void (pipeClosed || process.stdout.write(t)),
    err: (t) => void (pipeClosed || process.stderr.write(t)),
    interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
    cwd: process.cwd(),
    env: process.env,
    ...(process.stdin.isTTY && process.stderr.isTTY && !process.env.CI ? { confirm } : {}),
  },
  controller.signal,
).then(
  (code) => {
    process.exitCode = pipeClosed ? 141 : code;
  },
  (err: unknown) => {
    if (!pipeClosed) process.stderr.write(`brightrun: internal error: ${String(err)}\n`);
    process.exitCode = pipeClosed ? 141 : 1;
  },
);
