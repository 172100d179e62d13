// `npm run package`: production build, then a .vsix with only the bundles (no sources, tests, maps or node_modules).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { name, version } = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
const out = path.join(repo, 'artifacts', `${name}-${version}.vsix`);
mkdirSync(path.dirname(out), { recursive: true });
execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: repo, stdio: 'inherit' });
// Dependencies are bundled by esbuild, hence --no-dependencies.
execFileSync(path.join(repo, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out], { cwd: repo, stdio: 'inherit' });
const listing = execFileSync(path.join(repo, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies'], { cwd: repo }).toString().trim().split('\n');
console.log(listing.map((f) => `  ${f}`).join('\n'));
console.log(`${path.relative(repo, out)}: ${(statSync(out).size / 1024).toFixed(0)} KB, ${listing.length} files`);
