// `npm run demo`: the main job on the bundled samples/, headless, through the real CLI:
// build → a fresh project in a temporary folder → init → add samples → extract → status → records (chunk and instruction
// template builders, pairs imported from samples/faq.jsonl; none needs a model) → export (every format) → export verify.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, ['esbuild.mjs'], { cwd: repo, stdio: 'inherit' });
const project = mkdtempSync(path.join(os.tmpdir(), 'brightrun-demo-'));
cpSync(path.join(repo, 'samples'), path.join(project, 'samples'), { recursive: true });

const brightrun = (...args) => {
  console.log(`\n$ brightrun ${args.join(' ')}`);
  execFileSync(process.execPath, [path.join(repo, 'dist', 'cli.js'), ...args], { cwd: project, stdio: 'inherit' });
};
brightrun('init', '--name', 'pump-manuals', '--description', 'Operator manuals and service notes for the P-100 pump family.');
brightrun('add', 'samples');
brightrun('extract');
brightrun('status');
brightrun('status', '--json');
// The instruction builder too: Alpaca records from the shipped Jinja templates over each chunk and its document.
const configFile = path.join(project, 'brightrun.json');
const config = JSON.parse(readFileSync(configFile, 'utf8'));
config.records = { ...config.records, builders: ['chunk', 'instruction', 'pairs'] };
writeFileSync(configFile, JSON.stringify(config, null, 2) + '\n');
console.log('\n(brightrun.json: records.builders = ["chunk", "instruction", "pairs"])');
brightrun('records', 'build', '--dry-run', '1');
brightrun('records', 'build');
brightrun('records', 'stats');
brightrun('export', '--name', 'demo', '--formats', 'hf,jsonl,json,csv,parquet,tfrecord,pytorch,llama-factory,axolotl', '--lineage');
brightrun('export', 'verify', path.join('exports', 'demo', '1.0.0'));
console.log(`\nDemo project: ${project}\nExtracted documents are in ${path.join(project, '.brightrun', 'documents')}, training records in ${path.join(project, '.brightrun', 'records')}, the export in ${path.join(project, 'exports', 'demo', '1.0.0')}; open the folder in VS Code to see it in the Bright Run sidebar.`);
