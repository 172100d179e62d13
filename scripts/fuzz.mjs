// `npm run test:fuzz`: the fuzzing suite for longer, with a fresh seed (printed, so a failure can be replayed
// with FUZZ_SEED=<seed>). `npm test` runs the same suite for FUZZ_SECONDS=12 a class with a fixed seed.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(repo, 'node_modules', '.bin', name);
const seed = process.env.FUZZ_SEED ?? String(randomInt(2 ** 31 - 1));
const seconds = process.env.FUZZ_SECONDS ?? '60';
console.log(`fuzzing: FUZZ_SEED=${seed} FUZZ_SECONDS=${seconds} (a class)`);
const steps = [
  [bin('tsc'), ['-p', 'tsconfig.json']],
  [process.execPath, ['esbuild.mjs']],
  [bin('mocha'), ['--timeout', '0', 'out/test/unit/fuzz/*.test.js']],
];
for (const [cmd, args] of steps) {
  const r = spawnSync(cmd, args, { cwd: repo, stdio: 'inherit', env: { ...process.env, FUZZ_SEED: seed, FUZZ_SECONDS: seconds } });
  if (r.status !== 0) {
    console.log(`fuzzing failed (replay with FUZZ_SEED=${seed})`);
    process.exit(r.status ?? 1);
  }
}
