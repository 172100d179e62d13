// `npm run package [-- --target <vscode-target> [--canvas-from <dir>]]`: production build, then a platform-specific .vsix with only the
// bundles and the runtime pieces that cannot be bundled (tesseract.js with the WebAssembly cores it loads on Node,
// the offline language data it reads, the native canvas of that one platform): no sources, tests, maps or dev
// dependencies. Prints its size. The target defaults to this machine's (linux-x64 here); a package for another
// platform needs that platform's canvas binary in node_modules (see README: "Install the extension").
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { name, version } = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));

// VS Code targets (`vsce package --target`) → the @napi-rs/canvas package holding that platform's native binary.
const CANVAS = {
  'linux-x64': 'canvas-linux-x64-gnu', 'linux-arm64': 'canvas-linux-arm64-gnu', 'linux-armhf': 'canvas-linux-arm-gnueabihf',
  'alpine-x64': 'canvas-linux-x64-musl', 'alpine-arm64': 'canvas-linux-arm64-musl',
  'darwin-x64': 'canvas-darwin-x64', 'darwin-arm64': 'canvas-darwin-arm64',
  'win32-x64': 'canvas-win32-x64-msvc', 'win32-arm64': 'canvas-win32-arm64-msvc',
};
const musl = process.platform === 'linux' && !process.report?.getReport().header.glibcVersionRuntime;
const hostTarget = `${musl ? 'alpine' : process.platform}-${process.arch === 'arm' ? 'armhf' : process.arch}`;
const targetArg = process.argv.indexOf('--target');
const target = targetArg > 0 ? process.argv[targetArg + 1] : hostTarget;
if (!CANVAS[target]) {
  console.error(`package: unknown target "${target}"; one of ${Object.keys(CANVAS).join(', ')}`);
  process.exit(2);
}
const canvasPackage = `@napi-rs/${CANVAS[target]}`;
// --canvas-from <dir>: that platform's package unpacked anywhere (`npm pack` + tar), node_modules left as it is.
const canvasFromArg = process.argv.indexOf('--canvas-from');
const canvasFrom = canvasFromArg > 0 ? path.resolve(process.argv[canvasFromArg + 1]) : path.join(repo, 'node_modules', canvasPackage);
if (!existsSync(path.join(canvasFrom, 'package.json'))) {
  const { version: canvasVersion } = JSON.parse(readFileSync(path.join(repo, 'node_modules', '@napi-rs/canvas', 'package.json'), 'utf8'));
  console.error(`package: ${canvasPackage} (the native canvas for ${target}) is not installed here. Fetch it with\n` +
    `  npm pack ${canvasPackage}@${canvasVersion} && mkdir -p canvas && tar -xzf napi-rs-${CANVAS[target]}-${canvasVersion}.tgz --strip-components=1 -C canvas\n` +
    `and give it with --canvas-from canvas, or package on that platform.`);
  process.exit(1);
}

const out = path.join(repo, 'artifacts', `${name}-${target}-${version}.vsix`);
mkdirSync(path.dirname(out), { recursive: true });
execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: repo, stdio: 'inherit' });

// Runtime externals (see NODE_EXTERNALS in esbuild.mjs) and their dependency closure → dist/node_modules,
// where Node finds them from dist/extension.js and dist/extractWorker.js.
// ES modules loaded with import() on first use (esmImport.ts; esbuild cannot bundle a specifier it does not see):
// the Parquet writer's Thrift/byte helpers, the Parquet reader of verification and previews, language detection.
const RUNTIME = ['tesseract.js', '@tesseract.js-data/eng', '@tesseract.js-data/osd', '@napi-rs/canvas', 'hyparquet-writer', 'hyparquet', 'eld'];
const SKIP = [
  /\.md$/i, /\.map$/, /\.d\.ts$/, /\.ts$/, /[\\/]test[\\/]/, // docs, maps, types, tests
  // Language data: recognition reads eng/4.0.0_best_int (LSTM), orientation osd/4.0.0 (legacy engine): the rest
  // is never read (src/core/extract/ocr/tesseractOcr.ts).
  /@tesseract\.js-data[\\/]eng[\\/]4\.0\.0[\\/]/, /@tesseract\.js-data[\\/]osd[\\/]4\.0\.0_best_int[\\/]/,
  // tesseract.js on Node loads tesseract.js-core/tesseract-core-{relaxedsimd,simd}{-lstm,}.js, which read the
  // .wasm beside them (recognition: -lstm; orientation: the legacy core). The .wasm.js copies (the binary inlined
  // as base64, for browsers) and the cores without SIMD (runtimes before Node 16.4 / Chromium 91) are never loaded:
  // every runtime we support (Node ≥ 20.19, VS Code ≥ 1.100) has WebAssembly SIMD.
  /tesseract\.js-core[\\/].*\.wasm\.js$/, /tesseract\.js-core[\\/]tesseract-core(-lstm)?\.(js|wasm)$/,
  // tesseract.js's browser bundles, docs and examples (Node runs src/).
  /[\\/]tesseract\.js[\\/](dist|docs|examples|scripts)([\\/]|$)/,
  // eld: languages.ts loads the extra-small n-gram database; the larger ones (8 MB) are never read.
  /[\\/]eld[\\/]src[\\/]ngrams[\\/](large|medium|small)\.js$/, /[\\/]eld[\\/]src[\\/]entries[\\/]static\.(large|medium|small)\.js$/,
];
const distModules = path.join(repo, 'dist', 'node_modules');
rmSync(distModules, { recursive: true, force: true });
const seen = new Set();
function copyPackage(pkg) {
  if (seen.has(pkg)) return;
  // Only this target's native canvas (the other platforms' are optional dependencies that may be installed too).
  if (/^@napi-rs\/canvas-/.test(pkg) && pkg !== canvasPackage) return;
  const dir = pkg === canvasPackage ? canvasFrom : path.join(repo, 'node_modules', pkg);
  if (!existsSync(dir)) return; // an optional dependency that is not installed
  seen.add(pkg);
  cpSync(dir, path.join(distModules, pkg), { recursive: true, filter: (src) => !SKIP.some((re) => re.test(src)) });
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const dep of [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})]) copyPackage(dep);
}
RUNTIME.forEach(copyPackage);
console.log(`runtime packages: ${[...seen].join(', ')}`);

try {
  // Everything else is bundled by esbuild, hence --no-dependencies.
  execFileSync(path.join(repo, 'node_modules', '.bin', 'vsce'), ['package', '--target', target, '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out], { cwd: repo, stdio: 'inherit' });
  const listing = execFileSync(path.join(repo, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies'], { cwd: repo }).toString().trim().split('\n');
  const leaked = listing.filter((f) => /^(src|test|webview|bench|scripts)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts'));
  if (leaked.length) throw new Error(`the package would contain sources or maps: ${leaked.slice(0, 5).join(', ')}`);
  // What the extension loads by path at run time (a file left out of .vscodeignore fails only when used).
  const core = (v) => [`dist/node_modules/tesseract.js-core/tesseract-core-${v}.js`, `dist/node_modules/tesseract.js-core/tesseract-core-${v}.wasm`];
  const required = [
    'dist/extension.js', 'dist/cli.js', 'dist/extractWorker.js', 'dist/extractWorkerBoot.js', 'dist/pdfjs/pdf.mjs', 'dist/pdfjs/pdf.worker.mjs', 'dist/tokenizers/qwen3.json.br',
    ...['relaxedsimd-lstm', 'relaxedsimd', 'simd-lstm', 'simd'].flatMap(core),
    'dist/node_modules/@tesseract.js-data/eng/4.0.0_best_int/eng.traineddata.gz', 'dist/node_modules/@tesseract.js-data/osd/4.0.0/osd.traineddata.gz',
    `dist/node_modules/${canvasPackage}/package.json`,
    'dist/node_modules/hyparquet-writer/package.json', 'dist/node_modules/hyparquet/package.json', 'dist/node_modules/eld/src/ngrams/extrasmall.js',
  ];
  const missing = required.filter((f) => !listing.includes(f));
  if (missing.length) throw new Error(`the package would lack ${missing.join(', ')}`);
  const otherCanvas = listing.filter((f) => /node_modules\/@napi-rs\/canvas-/.test(f) && !f.includes(`${canvasPackage}/`));
  if (otherCanvas.length) throw new Error(`the package would carry another platform's canvas: ${otherCanvas[0]}`);
  console.log(`${path.relative(repo, out)}: ${(statSync(out).size / 1048576).toFixed(1)} MB, ${listing.length} files (target ${target}: the native canvas ${canvasPackage})`);
} finally {
  rmSync(distModules, { recursive: true, force: true });
}
