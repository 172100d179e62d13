// `npm run package`: production build, then a .vsix with only the bundles and the runtime pieces that cannot
// be bundled (tesseract.js with its WebAssembly core and offline language data, the optional native canvas):
// no sources, tests, maps or dev dependencies. Prints its size.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { name, version } = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
const out = path.join(repo, 'artifacts', `${name}-${version}.vsix`);
mkdirSync(path.dirname(out), { recursive: true });
execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: repo, stdio: 'inherit' });

// Runtime externals (see NODE_EXTERNALS in esbuild.mjs) and their dependency closure → dist/node_modules,
// where Node finds them from dist/extension.js and dist/extractWorker.js.
const RUNTIME = ['tesseract.js', '@tesseract.js-data/eng', '@tesseract.js-data/osd', '@napi-rs/canvas'];
const SKIP = [/\.md$/i, /\.map$/, /\.d\.ts$/, /\.ts$/, /[\\/]eng[\\/]4\.0\.0[\\/]/, /[\\/]test[\\/]/]; // docs, maps, the unused legacy eng model
const target = path.join(repo, 'dist', 'node_modules');
rmSync(target, { recursive: true, force: true });
const seen = new Set();
function copyPackage(pkg) {
  if (seen.has(pkg)) return;
  const dir = path.join(repo, 'node_modules', pkg);
  if (!existsSync(dir)) return; // an optional dependency for another platform
  seen.add(pkg);
  cpSync(dir, path.join(target, pkg), { recursive: true, filter: (src) => !SKIP.some((re) => re.test(src)) });
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const dep of [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})]) copyPackage(dep);
}
RUNTIME.forEach(copyPackage);
console.log(`runtime packages: ${[...seen].join(', ')}`);

try {
  // Everything else is bundled by esbuild, hence --no-dependencies.
  execFileSync(path.join(repo, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out], { cwd: repo, stdio: 'inherit' });
  const listing = execFileSync(path.join(repo, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies'], { cwd: repo }).toString().trim().split('\n');
  const leaked = listing.filter((f) => /^(src|test|webview|bench|scripts)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts'));
  if (leaked.length) throw new Error(`the package would contain sources or maps: ${leaked.slice(0, 5).join(', ')}`);
  // What the extension loads by path at run time (a file left out of .vscodeignore fails only when used).
  const required = ['dist/extension.js', 'dist/cli.js', 'dist/extractWorker.js', 'dist/extractWorkerBoot.js', 'dist/pdfjs/pdf.mjs', 'dist/pdfjs/pdf.worker.mjs', 'dist/tokenizers/qwen3.json.br'];
  const missing = required.filter((f) => !listing.includes(f));
  if (missing.length) throw new Error(`the package would lack ${missing.join(', ')}`);
  console.log(`${path.relative(repo, out)}: ${(statSync(out).size / 1048576).toFixed(1)} MB, ${listing.length} files (platform-specific: the native canvas for ${process.platform}-${process.arch})`);
} finally {
  rmSync(target, { recursive: true, force: true });
}
