// `npm run bench:languages`: what language detection (src/core/export/languages.ts) costs an export.
// Generates BENCH_RECORDS (default 100,000) records over BENCH_DOCUMENTS (default 1,000) source documents, each
// document in one of five languages (en, de, fr, es, ja; 1 in 10 records a chat record), as a records build. Then,
// in this process: eld's load time, and the LanguageTally over the parsed records (the work the export's first pass
// adds per record); and, as the reference in the same run, `brightrun export --formats jsonl` on the same build
// (end to end: lineage pass with the tally, JSONL, verification). `share` = (load + tally) ÷ export time; also
// whether every document's language came out right (the generated truth).
// Needs out/ (tsc) and dist/ (esbuild): built first unless BENCH_NO_BUILD.
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as readline from 'node:readline';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI, ensureBuilt, REPO, run, tmpDir } from './lib.mjs';

const N = Number(process.env.BENCH_RECORDS ?? 100_000);
const DOCS = Number(process.env.BENCH_DOCUMENTS ?? 1_000);
if (!process.env.BENCH_NO_BUILD || !existsSync(path.join(REPO, 'out/src/core/export/languages.js'))) {
  spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: REPO, stdio: 'inherit' });
}
if (!process.env.BENCH_NO_BUILD || !existsSync(CLI)) ensureBuilt();
const require = createRequire(import.meta.url);
const { LanguageTally, loadLanguageDetector } = require(path.join(REPO, 'out/src/core/export/languages.js'));

const WORDS = {
  en: 'the pump must be checked before every start and the valve is closed when pressure rises above the limit of the system while water flows through the pipe'.split(' '),
  de: 'die Pumpe muss vor jedem Start geprüft werden und das Ventil wird geschlossen wenn der Druck über die Grenze des Systems steigt während Wasser durch das Rohr fließt'.split(' '),
  fr: 'la pompe doit être vérifiée avant chaque démarrage et la vanne est fermée lorsque la pression dépasse la limite du système pendant que l’eau coule dans le tuyau'.split(' '),
  es: 'la bomba debe revisarse antes de cada arranque y la válvula se cierra cuando la presión supera el límite del sistema mientras el agua fluye por la tubería'.split(' '),
  ja: 'ポンプは 毎回の 始動前に 点検し 圧力が 系統の 上限を 超えると 弁が 閉じます 水が 配管を 流れる 間に 確認して ください'.split(' '),
};
const LANGS = Object.keys(WORDS);
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);

const root = tmpDir('languages');
await run(process.execPath, [CLI, 'init', root, '--name', 'bench']);
const build = path.join(root, '.brightrun', 'records', 'builds', 'bench');
mkdirSync(build, { recursive: true });
const splits = { train: 0, validation: 0, test: 0 };
const streams = Object.fromEntries(Object.keys(splits).map((s) => [s, createWriteStream(path.join(build, `${s}.jsonl`))]));
const truth = new Map();
for (let i = 0; i < N; i++) {
  const split = i % 20 === 0 ? 'test' : i % 20 === 1 ? 'validation' : 'train';
  splits[split]++;
  const doc = i % DOCS;
  const lang = LANGS[doc % LANGS.length];
  truth.set(lang, (truth.get(lang) ?? 0) + 1);
  const words = WORDS[lang];
  const len = 40 + Math.floor(rand() * 100);
  const parts = [];
  for (let w = 0; w < len; w++) parts.push(words[Math.floor(rand() * words.length)]);
  const text = parts.join(lang === 'ja' ? '' : ' ');
  const id = i.toString(16).padStart(24, '0');
  const lineage = { documentId: doc.toString(16).padStart(64, '0'), sourcePath: `docs/doc-${doc}.pdf`, page: 1 + (i % 40), span: { start: i, end: i + text.length }, headingPath: [], builder: 'chunk', paramsHash: '0123456789abcdef' };
  const record = i % 10 === 9
    ? { id, kind: 'chat', split, tokens: len, lineage, messages: [{ role: 'user', content: text.slice(0, 60) }, { role: 'assistant', content: text }] }
    : { id, kind: 'completion', split, tokens: len, lineage, text };
  if (!streams[split].write(JSON.stringify(record) + '\n')) await new Promise((r) => streams[split].once('drain', r));
}
await Promise.all(Object.values(streams).map((s) => new Promise((r) => s.end(r))));
const stat = (n) => ({ records: n, tokens: 0, documents: 0, overLength: { truncated: 0, dropped: 0 } });
writeFileSync(path.join(root, '.brightrun', 'records', 'manifest.json'), JSON.stringify({ formatVersion: 1, build: 'bench', builtAt: '2026-01-01T00:00:00.000Z', builder: 'chunk', paramsHash: '0123456789abcdef', settings: { chunk: { tokenizer: 'qwen3' } }, documents: DOCS, splits: { train: stat(splits.train), validation: stat(splits.validation), test: stat(splits.test) }, dropped: { duplicates: 0, tooShort: 0 } }));

// In process: eld's load, then the tally alone (only its calls timed) over the records as they are read and parsed.
let t = process.hrtime.bigint();
const detector = await loadLanguageDetector();
const loadS = Number(process.hrtime.bigint() - t) / 1e9;
const tally = new LanguageTally(detector);
let tallyNs = 0n;
for (const s of Object.keys(splits)) {
  for await (const line of readline.createInterface({ input: createReadStream(path.join(build, `${s}.jsonl`)), crlfDelay: Infinity })) {
    if (!line) continue;
    const record = JSON.parse(line);
    t = process.hrtime.bigint();
    tally.add(record);
    tallyNs += process.hrtime.bigint() - t;
  }
}
t = process.hrtime.bigint();
const figures = tally.result();
const tallyS = Number(tallyNs + process.hrtime.bigint() - t) / 1e9;
const correct = LANGS.every((l) => figures.find((f) => f.language === l)?.records === truth.get(l));

// Reference in the same run: the whole export, end to end, through the CLI (it includes the tally and its load).
const r = await run(process.execPath, [CLI, 'export', '--name', 'lang', '--formats', 'jsonl', '-C', root]);
if (r.code !== 0) {
  console.error(r.stderr);
  process.exit(1);
}
const exportS = r.ms / 1000;
const manifestDir = path.join(root, 'exports', 'lang', '1.0.0');
const inManifest = JSON.parse(readFileSync(path.join(manifestDir, 'manifest.json'), 'utf8')).quality.languages;
console.log(`languages: ${figures.map((f) => `${f.language} ${f.records}`).join(', ')} (manifest: ${inManifest.map((f) => `${f.language} ${f.records}`).join(', ')})`);
console.log(`BENCH languages records=${N} documents=${DOCS} eld_load_s=${loadS.toFixed(3)} tally_s=${tallyS.toFixed(3)} tally_us_per_record=${((tallyS * 1e6) / N).toFixed(2)} export_jsonl_s=${exportS.toFixed(2)} share_of_export=${((loadS + tallyS) / exportS).toFixed(4)} documents_correct=${correct}`);
