import { runCli } from './main';

// Entry point of the `brightrun` executable (dist/cli.js).
const controller = new AbortController();
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130); // second Ctrl-C: leave now
  interrupted = true;
  controller.abort();
});
runCli(
  process.argv.slice(2),
  {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
    cwd: process.cwd(),
    env: process.env,
  },
  controller.signal,
).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`brightrun: internal error: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
