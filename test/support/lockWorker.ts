// Child process for the lock tests: increments a counter file `n` times, each a slow read-modify-write under the project lock.
import { promises as fs } from 'node:fs';
import { withLock } from '../../src/core/project/lock';

async function main(): Promise<void> {
  const [lockFile, counterFile, n] = process.argv.slice(2);
  for (let i = 0; i < Number(n); i++) {
    await withLock(lockFile!, { owner: `worker ${process.pid}`, timeoutMs: 30_000 }, async () => {
      const value = Number(await fs.readFile(counterFile!, 'utf8'));
      await new Promise((r) => setTimeout(r, 2));
      await fs.writeFile(counterFile!, String(value + 1));
    });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
