// Builds the extension (CommonJS, `vscode` external), the CLI and the webview bundles.
//   node esbuild.mjs               development build (source maps)
//   node esbuild.mjs --production  minified, no source maps (what `npm run package` ships)
//   node esbuild.mjs --watch       rebuild on change
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

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
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/bin.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: { overview: 'webview/overview/main.ts' },
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
