import { promises as fs } from 'node:fs';
import {
  chatFormatOf, EXPORT_FORMATS, exportRequestFromConfig, isCancellation, kindColumns, LINEAGE_COLUMNS, overlayFile, previewExport, profileFromDraft, profileProblems, RecordStore, renderExportSample, toBrightRunError, withExportProfile,
  type ExportFormat, type ExportPreview, type ExportProfile, type ExportRequest, type ExportResult, type Project, type ProfileProblem, type RecordKind, type RecordsManifest,
} from '../../core';
import type { ExportDraft, ExportPanelState, ExportPanelToHost, ExportPanelToView, ExportSplit } from '../../shared/protocol/exportPanel';

/** What a session needs from the extension: the open project, the export job runner and a file picker. */
export interface ExportPanelSessionHost {
  project(): Project | undefined;
  /** Runs the export as a background job (exportCommands.ts runExportJob); undefined when cancelled, failed or refused. */
  runExport(request: ExportRequest): Promise<ExportResult | undefined>;
  /** Asks for a template file; its path relative to the project folder with '/', or undefined. */
  pickTemplate(option: 'recordFile' | 'headerFile' | 'footerFile'): Promise<string | undefined>;
  log(message: string): void;
  /** One line saying what a format writes (the format checkboxes' descriptions). */
  describeFormat(format: ExportFormat): string;
}

const KINDS: readonly RecordKind[] = ['completion', 'instruction', 'chat'];
/** Characters of each sample file sent to the view (a sample is a look; ten formats of long records stay small). */
const SAMPLE_FILE_CHARS = 20_000;

/**
 * The host side of one Export panel, without VS Code: answers the view's protocol — the profiles of brightrun.json,
 * the split preview (counted in core, previewExport, after the records overlay; recounted when the build or the
 * overlay changes), a draft's problems (core profileProblems: the CLI's validation), a sample rendered by the
 * writers (renderExportSample), Save Profile (into brightrun.json through Project.saveConfig: validated, locked,
 * atomic) and Export (the extension's one export job). Counting and sampling are cancellable and never block the
 * view: a newer request aborts the older one.
 */
export class ExportPanelSession {
  private preview: ExportPreview | undefined;
  /** Build and overlay the preview counted; null before the first count (undefined: no build). */
  private previewKey: string | undefined | null = null;
  private counting: AbortController | undefined;
  private sampling: AbortController | undefined;
  private exporting: string | undefined;
  private lastState = '';
  private disposed = false;

  constructor(
    private readonly host: ExportPanelSessionHost,
    private readonly post: (message: ExportPanelToView) => void,
  ) {}

  dispose(): void {
    this.disposed = true;
    this.counting?.abort();
    this.sampling?.abort();
  }

  /** Re-reads what may have changed (profiles, the build, the overlay): posts the state if it changed, recounts if the records did. */
  async refresh(force = false): Promise<void> {
    if (this.disposed) return;
    const manifest = await this.manifest();
    this.postState(manifest, force);
    const project = this.host.project();
    const key = project && manifest ? `${manifest.build}|${await overlayStamp(project)}` : undefined;
    if (!force && key === this.previewKey) return;
    this.previewKey = key;
    await this.count();
  }

  /** Handles one message from the view. Every request is answered, errors included. */
  async receive(m: ExportPanelToHost): Promise<void> {
    try {
      switch (m.type) {
        case 'ready':
          this.lastState = '';
          if (this.preview) this.post({ type: 'preview', preview: this.preview });
          return await this.refresh();
        case 'recount':
          return await this.refresh(true);
        case 'validate':
          return this.post({ type: 'reply', id: m.id, method: 'validate', problems: await this.problems(m.draft, m.replacing) });
        case 'sample':
          return await this.sample(m.id, m.draft, m.split, m.limit);
        case 'save':
          return await this.save(m.id, m.draft, m.replacing);
        case 'export':
          return await this.export(m.id, m.draft, m.replacing);
        case 'pickTemplate':
          return this.post({ type: 'reply', id: m.id, method: 'pickTemplate', ...optional('path', await this.host.pickTemplate(m.option)) });
      }
    } catch (err) {
      const e = toBrightRunError(err);
      this.host.log(`Export panel: [${e.code}] ${e.message}`);
      if ('id' in m) this.post({ type: 'reply', id: m.id, method: m.type, ...errorReply(m.type, `${e.message} ${e.remedy}`) } as ExportPanelToView);
    }
  }

  state(manifest: RecordsManifest | undefined): ExportPanelState | undefined {
    const project = this.host.project();
    if (!project) return undefined;
    const chat = manifest ? chatFormatOf(manifest) : undefined;
    return {
      project: project.config.name,
      profiles: (project.config.exports ?? []).map(draftOf),
      formats: EXPORT_FORMATS.map((name) => ({ name, description: this.host.describeFormat(name) })),
      ...(manifest ? { build: { id: manifest.build, builtAt: manifest.builtAt } } : {}),
      columns: Object.fromEntries(KINDS.map((k) => [k, [...kindColumns(k, chat)]])),
      lineageColumns: [...LINEAGE_COLUMNS],
      ...(this.exporting ? { exporting: this.exporting } : {}),
    };
  }

  private postState(manifest: RecordsManifest | undefined, force = false): void {
    if (this.disposed) return;
    const state = this.state(manifest);
    const text = JSON.stringify(state ?? null);
    if (!force && text === this.lastState) return;
    this.lastState = text;
    this.post({ type: 'state', state });
  }

  private async manifest(): Promise<RecordsManifest | undefined> {
    const project = this.host.project();
    return project ? new RecordStore(project.paths.records).readManifest().catch(() => undefined) : undefined;
  }

  private async count(): Promise<void> {
    this.counting?.abort();
    const project = this.host.project();
    if (!project || !this.previewKey) {
      this.preview = undefined;
      this.post({ type: 'preview', error: 'No records have been built yet: build them (Records in the Bright Run view) to see what an export holds.' });
      return;
    }
    const controller = new AbortController();
    this.counting = controller;
    this.post({ type: 'preview', counting: { done: 0 } });
    try {
      const preview = await previewExport(project.paths, { signal: controller.signal, onProgress: (p) => !controller.signal.aborted && this.post({ type: 'preview', counting: { done: p.done, ...optional('total', p.total) } }) });
      if (controller.signal.aborted || this.disposed) return;
      this.preview = preview;
      this.post({ type: 'preview', preview });
    } catch (err) {
      if (isCancellation(err) || controller.signal.aborted) return;
      const e = toBrightRunError(err);
      this.preview = undefined;
      this.post({ type: 'preview', error: `${e.message} ${e.remedy}` });
    } finally {
      if (this.counting === controller) this.counting = undefined;
    }
  }

  /** The profile of brightrun.json a draft replaces: the one it was opened from, else the one of its name. */
  private existing(project: Project, draft: ExportDraft, replacing: string | undefined): ExportProfile | undefined {
    const profiles = project.config.exports ?? [];
    return profiles.find((p) => p.name === (replacing ?? draft.name));
  }

  private async problems(draft: ExportDraft, replacing: string | undefined, forExport = false): Promise<ProfileProblem[]> {
    const project = this.requireProject();
    const existing = this.existing(project, draft, replacing);
    const profile = profileFromDraft(draft, existing);
    // Exporting a draft named like a saved profile exports under that name: not a clash.
    const replaced = forExport && !replacing && existing ? existing.name : replacing;
    const manifest = await this.manifest();
    return profileProblems(project.config, profile, replaced, { kinds: this.preview?.kinds ?? [], ...(manifest && chatFormatOf(manifest) ? { chatFormat: chatFormatOf(manifest)! } : {}) });
  }

  private request(project: Project, draft: ExportDraft, replacing: string | undefined): ExportRequest {
    const profile = profileFromDraft(draft, this.existing(project, draft, replacing));
    const { name, formats, compression, lineageColumns, options } = exportRequestFromConfig({ exports: [profile] }, { name: profile.name });
    return { name, formats, compression: compression ?? 'none', lineageColumns: lineageColumns ?? false, options: options ?? {} };
  }

  private async sample(id: number, draft: ExportDraft, split: ExportSplit, limit: number): Promise<void> {
    const project = this.requireProject();
    this.sampling?.abort();
    const controller = new AbortController();
    this.sampling = controller;
    if (!draft.formats.length) return this.post({ type: 'reply', id, method: 'sample', error: 'Choose at least one format to see its rows.' });
    try {
      const request = this.request(project, { ...draft, name: draft.name || 'sample' }, undefined);
      const counts = this.preview?.splits[split].kinds;
      const sample = await renderExportSample(project, request, split, { limit, maxChars: SAMPLE_FILE_CHARS, signal: controller.signal, ...(counts ? { counts } : {}) });
      this.post({ type: 'reply', id, method: 'sample', sample });
    } catch (err) {
      const e = toBrightRunError(err);
      this.post({ type: 'reply', id, method: 'sample', error: isCancellation(err) ? 'Replaced by a newer sample.' : `${e.message} ${e.remedy}` });
    } finally {
      if (this.sampling === controller) this.sampling = undefined;
    }
  }

  /** Saves the draft into brightrun.json: re-read first (another editor may have changed it), replaced in place, validated, atomic. */
  private async save(id: number, draft: ExportDraft, replacing: string | undefined): Promise<void> {
    const project = this.requireProject();
    await project.reloadConfig();
    const problems = await this.problems(draft, replacing);
    if (problems.length) return this.post({ type: 'reply', id, method: 'save', saved: false, problems });
    const profile = profileFromDraft(draft, this.existing(project, draft, replacing));
    await project.saveConfig(withExportProfile(project.config, profile, replacing));
    this.post({ type: 'reply', id, method: 'save', saved: true, problems: [] });
    await this.refresh();
  }

  private async export(id: number, draft: ExportDraft, replacing: string | undefined): Promise<void> {
    const project = this.requireProject();
    const problems = await this.problems(draft, replacing, true);
    if (problems.length) return this.post({ type: 'reply', id, method: 'export', problems });
    const request = this.request(project, draft, replacing);
    this.exporting = `Exporting "${request.name}" (${request.formats.join(', ')})…`;
    this.postState(await this.manifest());
    let result: ExportResult | undefined;
    try {
      result = await this.host.runExport(request);
    } finally {
      this.exporting = undefined;
      this.postState(await this.manifest());
    }
    if (!result) return this.post({ type: 'reply', id, method: 'export', error: 'The export did not finish: it was cancelled, another export was running, or it failed (see the notification and Bright Run: Show Log).' });
    this.post({ type: 'reply', id, method: 'export', result: { status: result.status, name: request.name, version: result.version, dir: result.dir } });
  }

  private requireProject(): Project {
    const project = this.host.project();
    if (!project) throw toBrightRunError(new Error('No dataset project is open.'));
    return project;
  }
}

/** A profile of brightrun.json as the form edits it. */
export function draftOf(profile: ExportProfile): ExportDraft {
  const options: Record<string, Record<string, unknown>> = {};
  for (const f of EXPORT_FORMATS) {
    const o = (profile as unknown as Record<string, unknown>)[f];
    if (o && typeof o === 'object') options[f] = structuredClone(o as Record<string, unknown>);
  }
  return {
    name: profile.name,
    formats: profile.formats.map((f) => (f === 'huggingface' ? 'hf' : f)),
    compression: profile.compression ?? (profile.compress ? 'gzip' : 'none'),
    lineageColumns: profile.lineageColumns ?? false,
    options,
  };
}

/** A stamp of the overlay file (size and time), so a changed overlay is recounted; '-' when there is none. */
async function overlayStamp(project: Project): Promise<string> {
  const s = await fs.stat(overlayFile(project.paths.dataDir)).catch(() => undefined);
  return s ? `${s.size}:${s.mtimeMs}` : '-';
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function errorReply(method: string, error: string): Record<string, unknown> {
  switch (method) {
    case 'validate':
      return { problems: [{ field: '', message: error, remedy: '' }] };
    case 'save':
      return { saved: false, problems: [], error };
    case 'pickTemplate':
      return {};
    default:
      return { error };
  }
}
