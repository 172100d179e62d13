// Fixture workspaces for the in-VS-Code tests, shared by the code-server and the @vscode/test-electron runners.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

/** Sources of the large workspace (issue #13: VS Code opens a project of 20,000 sources). */
export const LARGE_SOURCES = 20_000;

/**
 * A workspace whose project was made by the CLI (so the extension opens what the CLI wrote), one without a
 * project, and a large one: LARGE_SOURCES tiny files added by the CLI, three of them extracted through the core
 * API (two done, one failed), the rest queued.
 */
export async function prepareWorkspaces(repo) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'brightrun-vscode-'));
  const withProject = path.join(tmp, 'ws-project');
  const empty = path.join(tmp, 'ws-empty');
  for (const ws of [withProject, empty]) cpSync(path.join(repo, 'test/fixtures/workspace'), ws, { recursive: true });
  const cli = (...args) => execFileSync(process.execPath, [path.join(repo, 'dist/cli.js'), ...args], { cwd: withProject });
  cli('init', '--name', 'fixture-dataset');
  cli('add', 'guide.md', 'notes.txt');
  // The in-host suite steps through states one at a time, so adding does not start extraction there.
  mkdirSync(path.join(withProject, '.vscode'));
  writeFileSync(path.join(withProject, '.vscode', 'settings.json'), JSON.stringify({ 'brightrun.extract.autoStart': false }));
  // Documents for the user-level ingestion test, generated (no corpus needed): a mixed folder (two of which
  // fail) and image-only scans that take a few seconds each to OCR. The builders are compiled to out/ first.
  const fx = createRequire(import.meta.url)(path.join(repo, 'out/test/support/fixtures.js'));
  const put = (dir, name, data) => {
    mkdirSync(path.join(empty, dir), { recursive: true });
    writeFileSync(path.join(empty, dir, name), data);
  };
  put('batch', 'word_sample.docx', fx.docx());
  put('batch', 'multi_page.pdf', fx.multiPagePdf());
  put('batch', 'slides.pptx', fx.pptx());
  put('batch', 'phototest.png', (await fx.renderText(fx.OCR_LINES)).png);
  put('batch', 'truncated.pptx', fx.truncate(fx.pptx()));
  put('batch', 'fake-text-all-whitespace.txt', ' \n\t  \n   \r\n');
  // Each scan different (documents are stored by content hash): its own first line.
  const scanPage = (title, n) => [title, ...Array.from({ length: 13 }, (_, i) => fx.OCR_LINES[(i + n) % fx.OCR_LINES.length])];
  for (const [dir, names] of [['scans', ['handbook.scan.pdf', 'code_and_formula.scan.pdf', 'ocr_text.pdf']], ['more-scans', ['loremipsum-flat.pdf', 'rotated_180.pdf', 'table-cells.pdf']]]) {
    for (const [i, name] of names.entries()) put(dir, name, await fx.scannedPdf([scanPage(`Scanned page one of ${dir} number ${i + 1}`, i), scanPage(`Scanned page two of ${dir} number ${i + 1}`, i + 1)], { rotate: name.includes('180') ? 180 : 0 }));
  }
  return { tmp, withProject, empty, large: await prepareLarge(repo, tmp, fx) };
}

async function prepareLarge(repo, tmp, fx) {
  const large = path.join(tmp, 'ws-large');
  for (let i = 0; i < LARGE_SOURCES; i++) {
    const dir = path.join(large, 'docs', `d${String(Math.floor(i / 1000)).padStart(2, '0')}`);
    if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `note-${String(i).padStart(5, '0')}.txt`), `Note ${i}: the pump on line ${i % 97} was checked.\n`);
  }
  writeFileSync(path.join(large, 'docs', 'd00', 'broken.pptx'), fx.truncate(fx.pptx()));
  const cli = (...args) => execFileSync(process.execPath, [path.join(repo, 'dist/cli.js'), ...args], { cwd: large });
  cli('init', '--name', 'large-dataset');
  cli('add', 'docs');
  mkdirSync(path.join(large, '.vscode'));
  writeFileSync(path.join(large, '.vscode', 'settings.json'), JSON.stringify({ 'brightrun.extract.autoStart': false }));
  const core = createRequire(import.meta.url)(path.join(repo, 'out/src/core/index.js'));
  const project = await core.Project.open(large);
  await core.extractProject(project, { only: ['docs/d00/broken.pptx', 'docs/d00/note-00000.txt', 'docs/d00/note-00001.txt'], concurrency: 1 });
  return large;
}
