import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BrightRunError } from '../errors';
import { hashStoredFile } from './formats/fileSink';
import { formatWriter } from './formats';
import { fileIn, problem } from './formats/splitFiles';
import { LINEAGE_FILE } from './scan';
import { MANIFEST_FILE, type ExportManifest } from './manifest';
import type { ExportFormat, VerifyFinding, WrittenFile } from './types';

/**
 * Verifies a version folder against its manifest: every listed file exists with its size and sha256; no file
 * is there that the manifest does not list; each format's writer re-reads its files (counts, CRCs, encodings);
 * each format holds, per kind and split, the records the manifest counts (in the kind's sub-folder, or — hf — in
 * files carrying their kind); lineage.jsonl has a line per record.
 * Returns the findings (empty: valid).
 */
export async function verifyVersion(dir: string, manifest: ExportManifest, signal?: AbortSignal): Promise<VerifyFinding[]> {
  const findings: VerifyFinding[] = [];
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const f of manifest.files) {
    const stored = await hashStoredFile(fileIn(dir, f), signal).catch((err: NodeJS.ErrnoException) => ({ error: err.code ?? err.message }));
    if ('error' in stored) findings.push(problem(f.path, `is missing or unreadable (${stored.error})`));
    else if (stored.bytes !== f.bytes || stored.sha256 !== f.sha256) findings.push(problem(f.path, `differs from the manifest (${stored.bytes} bytes, sha256 ${stored.sha256.slice(0, 12)}…; manifest: ${f.bytes} bytes, ${f.sha256.slice(0, 12)}…)`));
  }
  for (const rel of await listFiles(dir)) if (rel !== MANIFEST_FILE && !listed.has(rel)) findings.push({ severity: 'warning', file: rel, message: 'is not listed in the manifest' });
  if (findings.some((f) => f.severity === 'error')) return findings;

  // Groups: one per format, and per kind where the runner wrote the kind into its own sub-folder (the path starts
  // with `<kind>/`); a writer with `mixedKinds` (hf) keeps every kind in its folder and is verified once.
  const groups = new Map<string, { format: ExportFormat; folder?: string; files: WrittenFile[] }>();
  for (const f of manifest.files) {
    if (f.format === 'version') continue;
    const folder = f.kind && f.path.startsWith(`${f.kind}/`) ? f.kind : undefined;
    const key = `${folder ?? ''}\0${f.format}`;
    const g = groups.get(key) ?? { format: f.format, ...(folder ? { folder } : {}), files: [] };
    g.files.push(folder ? { ...f, path: f.path.slice(folder.length + 1) } : f);
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    const base = g.folder ? path.join(dir, g.folder) : dir;
    const found = await formatWriter(g.format).verify(base, g.files, signal);
    findings.push(...found.map((x) => (g.folder ? { ...x, file: `${g.folder}/${x.file}` } : x)));
    // Per kind (a sub-folder's, or each file's own in a mixed-kind writer's folder) and split, the data files of
    // one type (extension) hold each record once: shards add up, and a format writing two types (JSONL and
    // safetensors, say) is checked per type.
    const kinds = g.folder ? [g.folder] : [...new Set(g.files.map((f) => f.kind))];
    for (const kind of kinds) {
      const expected = kind ? manifest.records.kinds[kind as keyof typeof manifest.records.kinds] : manifest.records.splits;
      const label = g.folder ? `${g.folder}/${g.format}` : kind ? `${g.format} (${kind} config)` : g.format;
      // A format may leave records out by its own rules (WrittenFile.omitted): they count as accounted for.
      for (const split of ['train', 'validation', 'test'] as const) {
        const byType = new Map<string, number>();
        for (const f of g.files) if ((g.folder || f.kind === kind) && f.split === split && f.records !== undefined) byType.set(fileType(f.path), (byType.get(fileType(f.path)) ?? 0) + f.records + (f.omitted ?? 0));
        const want = expected?.[split] ?? 0;
        for (const [type, n] of byType) if (n !== want) findings.push(problem(label, `holds ${n} ${split} record(s) in its ${type} files; the records build has ${want}`));
      }
    }
    // A mixed-kind writer's folder holds every kind of the build.
    if (!g.folder && kinds.some((k) => k !== undefined)) {
      for (const k of Object.keys(manifest.records.kinds)) if (!kinds.includes(k as never)) findings.push(problem(g.format, `holds no ${k} records; the records build has ${Object.values(manifest.records.kinds[k as keyof typeof manifest.records.kinds] ?? {}).reduce((a, b) => a + b, 0)}`));
    }
  }
  const lineage = manifest.files.find((f) => f.path === LINEAGE_FILE);
  if (!lineage) findings.push(problem(LINEAGE_FILE, 'is not in the manifest'));
  else if (lineage.records !== manifest.records.total) findings.push(problem(LINEAGE_FILE, `has ${lineage.records} line(s) for ${manifest.records.total} record(s)`));
  return findings;
}

/** Reads a version folder's manifest.json; a clear error when it is missing or damaged. */
export async function readExportManifest(dir: string): Promise<ExportManifest> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new BrightRunError({ code: 'INVALID_ARGUMENT', file, message: `${dir} is not an export version: it has no ${MANIFEST_FILE}.`, remedy: 'Give the folder of one version, e.g. exports/default/1.0.0.' }, { cause: err });
  }
  try {
    const m = JSON.parse(text) as ExportManifest;
    if (!Array.isArray(m.files) || typeof m.version !== 'string') throw new Error('files or version missing');
    return m;
  } catch (err) {
    throw new BrightRunError({ code: 'STATE_CORRUPT', file, message: `${file} is damaged (${(err as Error).message}).`, remedy: 'Export again; a version whose manifest is damaged cannot be checked.' }, { cause: err });
  }
}

/** `brightrun export verify <dir>`: reads the manifest and verifies the folder against it. */
export async function verifyExportDir(dir: string, signal?: AbortSignal): Promise<{ manifest: ExportManifest; findings: VerifyFinding[] }> {
  const manifest = await readExportManifest(dir);
  return { manifest, findings: await verifyVersion(dir, manifest, signal) };
}

/** ".jsonl" for "jsonl/train.jsonl.gz": the extension, compression aside. */
function fileType(rel: string): string {
  const base = path.posix.basename(rel).replace(/\.gz$/, '');
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot) : base;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(path.join(dir, prefix), { withFileTypes: true }).catch(() => [])) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}
