// Fixture workspaces for the in-VS-Code tests, shared by the code-server and the @vscode/test-electron runners.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A workspace whose project was made by the CLI (so the extension opens what the CLI wrote), and one without a project. */
export function prepareWorkspaces(repo) {
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
  // Documents for the user-level ingestion test: a mixed folder (two of which fail) and slow scans.
  const corpus = process.env.BRIGHTRUN_CORPUS ?? path.resolve(repo, '..', 'shared', 'corpus');
  const copy = (rel, dir) => {
    mkdirSync(path.join(empty, dir), { recursive: true });
    cpSync(path.join(corpus, rel), path.join(empty, dir, path.basename(rel)));
  };
  for (const rel of ['docling/docx/word_sample.docx', 'docling/pdf/multi_page.pdf', 'unstructured/pptx/fake-power-point.pptx', 'tesseract/phototest.tif', 'synthetic/corrupt/truncated.pptx', 'unstructured/txt/fake-text-all-whitespace.txt']) copy(rel, 'batch');
  for (const rel of ['synthetic/scanned/amt_handbook_sample.scan.pdf', 'synthetic/scanned/code_and_formula.scan.pdf', 'textract/scanned/ocr_text.pdf']) copy(rel, 'scans');
  for (const rel of ['unstructured/scanned/loremipsum-flat.pdf', 'docling/ocr/ocr_test_rotated_180.pdf', 'unstructured/scanned/table-multi-row-column-cells.pdf']) copy(rel, 'more-scans');
  return { tmp, withProject, empty };
}
