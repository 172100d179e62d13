// Extraction-process entry of the bundled build: loads dist/extractWorker.js through a V8 code cache. A new process
// would otherwise parse and compile the 1.3 MB bundle, and every function its first file runs, from scratch
// (~80 ms of a cold CLI run on small files). The cache is written once, after a thread's first file, into a
// per-user directory (given by the pool; never a shared temp directory, since cached code is executable), and
// V8 rejects it by itself when the bundle, Node or the V8 flags change.
import { isAscii } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import * as vm from 'node:vm';
import { hostOptions, startMemoryWatchdog, type MemoryWatchdog } from './memoryWatchdog';

const data = hostOptions();
// The memory watchdog first: a thread started after V8 flags change costs twice the CPU (memoryWatchdog.ts).
(globalThis as { brightrunWatchdog?: MemoryWatchdog }).brightrunWatchdog = startMemoryWatchdog(data.memoryLimitMb);
// V8 flags the pool asks for (batchV8Flags): set here, once Node's own start-up code has run (a changed flag set
// makes V8 reject the code cache built into Node, which cost a process ~25 ms when set before it started) and
// before the bundle is compiled, so its cache below is written and checked under the same flags.
if (data?.v8Flags) setFlagsFromString(data.v8Flags);

const bundle = path.join(__dirname, 'extractWorker.js');
// Read as bytes, hashed as bytes, then made text: the bundle is ASCII (esbuild escapes the rest), which makes a
// one-byte string faster than UTF-8 decoding would (~2 ms less per thread, and hashing bytes ~2 ms less than text).
const bytes = readFileSync(bundle);
const source = bytes.toString(typeof isAscii === 'function' && isAscii(bytes) ? 'latin1' : 'utf8');
// One directory per Node build (the CLI's Node and the editor's differ), so they do not evict each other; one
// file per bundle content (V8 checks little more than the source length, and installs may reset file times).
const base = data?.codeCacheDir;
const cacheDir = base ? path.join(base, `${process.version}-${process.arch}`) : undefined;
const key = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
const cacheFile = cacheDir ? path.join(cacheDir, `extractWorker-${key}.v8cache`) : undefined;

let cachedData: Buffer | undefined;
try {
  if (cacheFile) cachedData = readFileSync(cacheFile);
} catch {
  // no cache yet
}

const script = new vm.Script(Module.wrap(source), { filename: bundle, ...(cachedData ? { cachedData } : {}) });
// Code run by vm.Script cannot use import() on Node 20: the bundle imports through this loader's (esmImport.ts).
(globalThis as { brightrunImport?: (specifier: string) => Promise<unknown> }).brightrunImport = (specifier) => import(specifier);

if (cacheFile && (!cachedData || script.cachedDataRejected)) {
  // Written after the first file, so the functions that file ran are in it too.
  (globalThis as { brightrunFirstTaskDone?: () => void }).brightrunFirstTaskDone = () => {
    try {
      mkdirSync(cacheDir!, { recursive: true, mode: 0o700 });
      const tmp = `${cacheFile}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      renameSync(tmp, cacheFile);
      // Caches of other builds (an older version, say) are of no use any more.
      for (const name of readdirSync(cacheDir!)) {
        const file = path.join(cacheDir!, name);
        if (file === cacheFile || !/^extractWorker-[0-9a-f]{16}\.v8cache(\..*\.tmp)?$/.test(name)) continue;
        // Leftover temporary files are removed once they are clearly abandoned (a thread stopped mid-write).
        if (name.endsWith('.tmp') && Date.now() - statSync(file).mtimeMs < 60_000) continue;
        rmSync(file, { force: true });
      }
    } catch {
      // a cache is an optimisation only
    }
  };
}

const wrapper = script.runInThisContext() as (exports: object, require: NodeRequire, module: object, filename: string, dirname: string) => void;
const mod = { exports: {} as object, filename: bundle, id: bundle, loaded: false };
wrapper.call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, __dirname);
