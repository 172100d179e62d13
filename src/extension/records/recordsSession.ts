import { DocumentStore, isCancellation, loadTokenizer, overlayFile, parseOverlay, readOverlay, RecordBrowser, RecordOverlay, recordSettings, recordText, RecordStore, toBrightRunError, updateOverlay, type ExtractedDocument, type Project, type RecordEdit, type RecordFilter, type TrainingRecord } from '../../core';
import type { RecordsAction, RecordsState, RecordsToHost, RecordsToView } from '../../shared/protocol/records';
import { describeOrphan, toCoreFilter, toDetail, toFacets, toRow } from './recordViews';

/** Stands for a damaged overlay file in the change check (never a serialised overlay, which starts with '{'). */
const DAMAGED = 'damaged';

/** What a session needs from the extension: the open project, and the commands behind the view's buttons. */
export interface RecordsSessionHost {
  project(): Project | undefined;
  runAction(action: Exclude<RecordsAction, 'exclude' | 'include'>, recordIds: string[]): Promise<unknown>;
  log(message: string): void;
}

/**
 * The host side of one Records view, without VS Code: it holds a RecordBrowser over the current build and
 * answers the view's protocol messages (queries, pages of rows, a record's detail, edits, exclusions). Pages are
 * read on demand; nothing posts the whole build. After a rebuild or an overlay change on disk (`refresh`) it
 * re-indexes or re-applies, and answers the current query again.
 */
export class RecordsSession {
  private browser: RecordBrowser | undefined;
  private opening: Promise<RecordBrowser | undefined> | undefined;
  private buildId: string | undefined;
  private overlayText = '';
  private current = { query: -1, filter: {} as RecordFilter };
  private search: AbortController | undefined;
  private busy: string | undefined;
  private overlayError: string | undefined;
  private selected: string | undefined;
  private doc: { id: string; doc: ExtractedDocument | undefined } | undefined;
  private disposed = false;

  constructor(
    private readonly host: RecordsSessionHost,
    private readonly post: (message: RecordsToView) => void,
  ) {}

  dispose(): void {
    this.disposed = true;
    this.search?.abort();
  }

  /** Re-reads what changed on disk (manifest, overlay) and posts the new state; the current query is answered again. */
  async refresh(): Promise<void> {
    const project = this.host.project();
    if (!project) {
      this.browser = undefined;
      this.buildId = undefined;
      this.post({ type: 'state', state: undefined });
      return;
    }
    const manifest = await new RecordStore(project.paths.records).readManifest().catch(() => undefined);
    const overlayText = await readOverlay(overlayFile(project.paths.dataDir)).then((o) => o.serialize(), () => DAMAGED);
    if (this.browser && manifest?.build === this.buildId && overlayText === this.overlayText) return;
    if (this.browser && manifest?.build === this.buildId && overlayText !== DAMAGED) {
      this.overlayText = overlayText;
      this.overlayError = undefined;
      this.browser.setOverlay(parseOverlay(overlayText));
    } else {
      this.browser = undefined;
      await this.open();
    }
    this.postState();
    if (this.current.query >= 0) await this.answer(this.current.query, this.current.filter);
    if (this.selected) await this.select(this.selected);
  }

  /** Indexes the current build (once; concurrent callers share it). */
  private open(): Promise<RecordBrowser | undefined> {
    this.opening ??= (async () => {
      const project = this.host.project();
      if (!project) return undefined;
      this.busy = 'Reading the records…';
      this.postState();
      try {
        // A damaged overlay must not hide the records: show them without it, and say why (saving is refused).
        this.overlayError = undefined;
        const overlay = await readOverlay(overlayFile(project.paths.dataDir)).catch((err: unknown) => {
          const e = toBrightRunError(err);
          this.overlayError = `${e.message} ${e.remedy}`;
          this.host.log(`Records overlay: ${this.overlayError}`);
          return new RecordOverlay();
        });
        this.overlayText = this.overlayError ? DAMAGED : overlay.serialize();
        const browser = await RecordBrowser.open(new RecordStore(project.paths.records), overlay);
        this.browser = browser;
        this.buildId = browser.manifest?.build;
        return browser;
      } finally {
        this.busy = undefined;
        this.opening = undefined;
      }
    })();
    return this.opening;
  }

  private async ensure(): Promise<RecordBrowser | undefined> {
    return this.browser ?? this.opening ?? this.open();
  }

  postState(): void {
    if (this.disposed) return;
    this.post({ type: 'state', state: this.state() });
  }

  state(): RecordsState | undefined {
    const project = this.host.project();
    if (!project) return undefined;
    const b = this.browser;
    const facets = b?.facets() ?? { total: 0, splits: { train: 0, validation: 0, test: 0 }, kinds: [], builders: [], sources: [], flags: [], excluded: 0, edited: 0 };
    return {
      project: project.config.name,
      ...(b?.manifest ? { build: { id: b.manifest.build, builtAt: b.manifest.builtAt, documents: b.manifest.documents } } : {}),
      facets: toFacets(facets),
      orphans: (b?.orphans() ?? []).map(describeOrphan),
      ...(this.busy ? { busy: this.busy } : {}),
      ...(this.overlayError ? { error: this.overlayError } : {}),
    };
  }

  /** One record of the current build, overlay applied. */
  async record(id: string): Promise<TrainingRecord | undefined> {
    return (await this.ensure())?.record(id);
  }

  /** Handles one message from the view; errors of requests with an id are answered, others are logged. */
  async receive(m: RecordsToHost): Promise<void> {
    try {
      switch (m.type) {
        case 'ready':
          this.postState();
          if (!this.browser) {
            await this.open();
            this.postState();
          }
          return;
        case 'query':
          this.current = { query: m.query, filter: toCoreFilter(m.filter) };
          return await this.answer(m.query, this.current.filter);
        case 'rows': {
          const b = await this.ensure();
          if (!b || m.query !== this.current.query) return; // a stale page: the view has moved on
          const page = await b.page(m.start, m.count);
          if (m.query === this.current.query) this.post({ type: 'rows', query: m.query, start: m.start, rows: page.map((p) => toRow(p.index, p.record)) });
          return;
        }
        case 'select':
          return await this.select(m.recordId);
        case 'run':
          return await this.reply(m.id, () => this.run(m.action, m.recordIds));
        case 'edit':
          return await this.reply(m.id, () => this.edit(m.recordId, m.fields));
      }
    } catch (err) {
      if (!isCancellation(err)) this.host.log(`Records view: ${toBrightRunError(err).message}`);
    }
  }

  private async answer(query: number, filter: RecordFilter): Promise<void> {
    const b = await this.ensure();
    this.search?.abort();
    if (!b) return this.post({ type: 'result', query, matched: 0 });
    const controller = new AbortController();
    this.search = controller;
    const matched = await b.query(filter, { signal: controller.signal, onProgress: (p) => query === this.current.query && this.post({ type: 'searching', query, done: p.done, total: p.total ?? b.size }) });
    if (query === this.current.query && !controller.signal.aborted) this.post({ type: 'result', query, matched });
  }

  private async select(recordId: string): Promise<void> {
    this.selected = recordId;
    const b = await this.ensure();
    const record = await b?.record(recordId);
    if (!b || !record) {
      this.post({ type: 'detail', detail: undefined });
      return;
    }
    const original = record.flags?.includes('edited') ? await b.original(recordId) : undefined;
    let docError: string | undefined;
    const doc = await this.document(record).catch((err: unknown) => {
      docError = toBrightRunError(err).message;
      return undefined;
    });
    if (this.selected === recordId) this.post({ type: 'detail', detail: toDetail(b.indexOf(recordId), record, original, doc, docError) });
  }

  /** The record's extracted document; the last one is kept (selection moves mostly within one document). */
  private async document(r: TrainingRecord): Promise<ExtractedDocument | undefined> {
    const project = this.host.project();
    if (!project) return undefined;
    if (this.doc?.id !== r.lineage.documentId) this.doc = { id: r.lineage.documentId, doc: await new DocumentStore(project.paths.documents).load(r.lineage.documentId) };
    return this.doc.doc;
  }

  private async run(action: RecordsAction, ids: string[]): Promise<void> {
    if (action === 'exclude' || action === 'include') {
      await this.changeOverlay((o) => o.setExcluded(ids, action === 'exclude'));
      return;
    }
    await this.host.runAction(action, ids);
  }

  private async edit(recordId: string, fields: RecordEdit | null): Promise<void> {
    const project = this.host.project();
    const b = await this.ensure();
    const built = await b?.original(recordId);
    if (!project || !b || !built) throw new Error(`Record ${recordId} is not in the current build (rebuilt meanwhile?).`);
    if (fields && fields.kind !== built.kind) throw new Error(`Record ${recordId} is a ${built.kind} record, not ${fields.kind}.`);
    let tokens: number | undefined;
    if (fields) {
      const tok = loadTokenizer(recordSettings(project.config).chunk.tokenizer);
      tokens = tok.count(recordText({ ...built, ...fields } as TrainingRecord));
    }
    await this.changeOverlay((o) => o.setEdit(recordId, fields ?? undefined, tokens));
  }

  /** Saves an overlay change (under the project lock), then shows it: state, the current query, the selection. */
  private async changeOverlay(change: Parameters<typeof updateOverlay>[1]): Promise<void> {
    const project = this.host.project();
    if (!project) throw new Error('No dataset project is open.');
    const overlay = await updateOverlay(project.paths.dataDir, change, { lockFile: project.paths.lock, owner: 'VS Code' });
    this.overlayText = overlay.serialize();
    this.overlayError = undefined;
    this.browser?.setOverlay(overlay);
    this.postState();
    if (this.current.query >= 0) await this.answer(this.current.query, this.current.filter);
    if (this.selected) await this.select(this.selected);
  }

  private async reply(id: number, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
      this.post({ type: 'reply', id, ok: true });
    } catch (err) {
      const e = toBrightRunError(err);
      this.post({ type: 'reply', id, ok: false, error: `${e.message}${e.remedy ? ` ${e.remedy}` : ''}` });
    }
  }
}
