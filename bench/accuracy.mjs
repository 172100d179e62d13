// npm run bench:accuracy — extraction accuracy on ../shared/corpus, ours vs the reference tools, same run.
// Ours: `brightrun extract` (the CLI, as users run it). References: pdftotext (text PDFs), tesseract
// (OMP_THREAD_LIMIT=1 --psm 1, after pdftoppm -r 300 for PDFs) for scans and images, LibreOffice
// --convert-to txt for Word files (PowerPoint via PDF + pdftotext), a plain UTF-8 read for text formats.
// Scoring: ../shared/corpus/score.py (character accuracy after normalisation). Missing tools are skipped.
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync, copyFileSync } from 'node:fs';
import * as path from 'node:path';
import { CORPUS, ensureBuilt, fmt, have, manifest, passwordFromNotes, run, runCli, tmpDir } from './lib.mjs';

ensureBuilt();
const items = manifest();
const work = tmpDir('accuracy');
const ours = path.join(work, 'ours');
const ref = path.join(work, 'reference');
mkdirSync(ours, { recursive: true });
mkdirSync(ref, { recursive: true });

// ── ours ────────────────────────────────────────────────────────────────────────────
const t0 = Date.now();
const plain = items.filter((i) => !passwordFromNotes(i.notes)).map((i) => i.path);
const r = await runCli(['extract', ...plain, '--text-out', ours, '--json'], { cwd: CORPUS });
for (const i of items.filter((i) => passwordFromNotes(i.notes))) {
  await runCli(['extract', i.path, '--text-out', ours, '--password', passwordFromNotes(i.notes)], { cwd: CORPUS });
}
const oursSeconds = (Date.now() - t0) / 1000;
const failures = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((l) => l.error);
console.log(`ours: ${items.length} files in ${oursSeconds.toFixed(1)} s, peak RSS ${r.peakRssMb} MB; errors (expected for edge cases): ${failures.map((f) => `${f.path}=${f.error}`).join(', ') || 'none'}`);

// ── references ─────────────────────────────────────────────────────────────────────
const out = (p) => {
  const f = path.join(ref, `${p}.txt`);
  mkdirSync(path.dirname(f), { recursive: true });
  return f;
};
const skipped = new Set();
async function tesseractImage(image) {
  const r = await run('tesseract', [image, '-', '--psm', '1'], { env: { ...process.env, OMP_THREAD_LIMIT: '1' } });
  return r.stdout;
}
const t1 = Date.now();
for (const item of items) {
  const src = path.join(CORPUS, item.path);
  const pw = passwordFromNotes(item.notes);
  if (item.format === 'pdf-text') {
    if (!have('pdftotext')) { skipped.add('pdftotext'); continue; }
    await run('pdftotext', ['-enc', 'UTF-8', ...(pw ? ['-upw', pw] : []), src, out(item.path)]);
  } else if (item.format === 'pdf-scanned') {
    if (!have('pdftoppm') || !have('tesseract')) { skipped.add('pdftoppm/tesseract'); continue; }
    const pages = tmpDir('pages');
    await run('pdftoppm', ['-r', '300', '-png', src, path.join(pages, 'p')]);
    let text = '';
    for (const png of readdirSync(pages).sort()) text += (await tesseractImage(path.join(pages, png))) + '\n';
    writeFileSync(out(item.path), text);
  } else if (item.format === 'image') {
    if (!have('tesseract')) { skipped.add('tesseract'); continue; }
    writeFileSync(out(item.path), await tesseractImage(src));
  } else if (['txt', 'md', 'csv', 'json'].includes(item.format)) {
    writeFileSync(out(item.path), new TextDecoder('utf-8').decode(readFileSync(src)));
  }
}
// LibreOffice: Word formats straight to text; presentations through PDF.
if (have('soffice')) {
  const office = items.filter((i) => ['docx', 'doc', 'pptx', 'ppt'].includes(i.format));
  const profile = tmpDir('lo-profile');
  for (const item of office) {
    const dir = tmpDir('lo');
    // LibreOffice picks its filter from the extension: give each file its own folder and true name.
    const src = path.join(dir, path.basename(item.path));
    copyFileSync(path.join(CORPUS, item.path), src);
    const impress = item.format === 'pptx' || item.format === 'ppt';
    await run('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', impress ? 'pdf' : 'txt:Text (encoded):UTF8', '--outdir', dir, src], { timeout: 120_000 });
    const base = path.join(dir, path.basename(item.path).replace(/\.[^.]+$/, ''));
    if (impress && existsSync(`${base}.pdf`)) await run('pdftotext', ['-enc', 'UTF-8', `${base}.pdf`, out(item.path)]);
    else if (existsSync(`${base}.txt`)) copyFileSync(`${base}.txt`, out(item.path));
  }
} else {
  skipped.add('libreoffice');
}
const refSeconds = (Date.now() - t1) / 1000;
for (const s of skipped) console.log(`reference tool missing, skipped: ${s} (install poppler-utils, tesseract-ocr, libreoffice)`);

// ── scoring ────────────────────────────────────────────────────────────────────────
async function score(dir, name) {
  const tsv = path.join(work, `${name}.tsv`);
  const r = await run('python3', [path.join(CORPUS, 'score.py'), CORPUS, dir, '--tsv', tsv, '--quiet']);
  if (r.code !== 0) throw new Error(`score.py failed: ${r.stderr}`);
  const rows = readFileSync(tsv, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  return new Map(rows.map(([p, format, gtLen, , distance, accuracy]) => [p, { format, gtLen: +gtLen, distance: +distance, accuracy: +accuracy }]));
}
const oursScores = await score(ours, 'ours');
const refScores = await score(ref, 'reference');
const tags = new Map(items.map((i) => [i.path, i.tags ?? '']));
const FORMATS = ['pdf-text', 'pdf-scanned', 'image', 'docx', 'doc', 'pptx', 'ppt', 'txt', 'md', 'csv', 'json'];
const BORN_DIGITAL = new Set(['docx', 'doc', 'pptx', 'ppt', 'txt', 'md', 'csv', 'json']);
console.log('\nformat        n   ours   ref    (ref tool)            ≥ref  born-digital human/derived GT');
const bench = {};
let allAtLeastRef = true;
for (const f of FORMATS) {
  const paths = [...oursScores.keys()].filter((p) => oursScores.get(p).format === f);
  if (!paths.length) continue;
  const mean = (m) => paths.reduce((s, p) => s + (m.get(p)?.accuracy ?? 0), 0) / paths.length;
  const o = mean(oursScores);
  const withRef = paths.filter((p) => refScores.has(p));
  const rf = withRef.length ? withRef.reduce((s, p) => s + refScores.get(p).accuracy, 0) / withRef.length : NaN;
  const tool = { 'pdf-text': 'pdftotext', 'pdf-scanned': 'pdftoppm+tesseract', image: 'tesseract', docx: 'libreoffice', doc: 'libreoffice', pptx: 'libreoffice→pdf', ppt: 'libreoffice→pdf' }[f] ?? 'raw utf-8 read';
  const good = paths.filter((p) => /human-gt|derived-gt|self-gt/.test(tags.get(p)));
  const goodMean = good.length ? good.reduce((s, p) => s + oursScores.get(p).accuracy, 0) / good.length : NaN;
  const atLeast = !Number.isFinite(rf) || o >= rf - 1e-9;
  allAtLeastRef &&= atLeast;
  console.log(`${f.padEnd(12)} ${String(paths.length).padStart(2)}  ${fmt(o)}  ${fmt(rf)}  ${tool.padEnd(20)}  ${atLeast ? 'yes' : 'NO '}   ${BORN_DIGITAL.has(f) ? `${fmt(goodMean)} (n=${good.length})` : ''}`);
  bench[f.replace('-', '_')] = fmt(o);
  bench[`ref_${f.replace('-', '_')}`] = fmt(rf);
}
const all = [...oursScores.values()];
const charw = 1 - all.reduce((s, v) => s + v.distance, 0) / all.reduce((s, v) => s + v.gtLen, 0);
const meanAcc = all.reduce((s, v) => s + v.accuracy, 0) / all.length;
const refAll = [...refScores.values()];
const refCharw = 1 - refAll.reduce((s, v) => s + v.distance, 0) / refAll.reduce((s, v) => s + v.gtLen, 0);
console.log(`\noverall (n=${all.length}): length-weighted ${fmt(charw)}, mean ${fmt(meanAcc)}; references length-weighted ${fmt(refCharw)} (n=${refAll.length})`);
console.log(`time: ours ${oursSeconds.toFixed(1)} s, references ${refSeconds.toFixed(1)} s; outputs in ${work}`);
console.log(`BENCH accuracy overall_charw=${fmt(charw)} overall_mean=${fmt(meanAcc)} ref_overall_charw=${fmt(refCharw)} all_formats_ge_ref=${allAtLeastRef} ${Object.entries(bench).map(([k, v]) => `${k}=${v}`).join(' ')} peak_rss_mb=${r.peakRssMb}`);
