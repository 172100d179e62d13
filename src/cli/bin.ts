import { runCli } from './main';

// Entry point of the `brightrun` executable (dist/cli.js).
const controller = new AbortController();
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130); // second Ctrl-C: leave now
  interrupted = true;
  controller.abort();
});
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
