import { paramsHash, recordId } from './ids';
import type { ExtractedDocument } from '../extract/types';
import type { CompletionRecord } from './types';
import type { TextTokenizer } from './tokenizer';
import { documentUnits, type Unit } from './units';
import { holesIn, textWithout, type TextSpan } from './furniture';

/** The chunk builder's parameters (brightrun.json `records`; see settings.ts for defaults and migration). */
export interface ChunkParams {
  tokenizer: 'qwen3';
  /** Length a chunk grows to, in tokens; it ends at the first good boundary past half of it. */
  targetTokens: number;
  /** Hard ceiling in tokens: no chunk is longer (measured on the chunk's exact text). */
  maxTokens: number;
  /** Tokens of whole sentences repeated from the end of the previous chunk of the same section. */
  overlapTokens: number;
  /** Repeated page furniture (running headers, footers, page numbers) is left out of chunks (furniture.ts). */
  removeFurniture?: boolean;
}

/** A document as the record builders see it: the extracted document and the source path it was added as. */
export interface SourceDocument {
  doc: ExtractedDocument;
  sourcePath: string;
}

/**
 * Cuts one document into completion records (continued pre-training), measured in tokens of `tok`.
 * Rules (docs/records.md): structure first, then sentences; tables, code, records and `$$…$$` formulas whole
 * unless one alone exceeds `maxTokens` (then at its rows or lines); never mid-word; every chunk ≤ maxTokens
 * exactly; a heading is never the last thing of a chunk whose body is in the next; no empty chunks. Each record
 * carries its span in `doc.text` (the record's text is exactly that slice), page/slide, heading path, the
 * builder and the params hash. Pure: same document and parameters, same records and ids.
 * `holes` (sorted, disjoint spans: page furniture, see furniture.ts) are left out: no unit holds them, and a
 * record whose span contains some has `text` = its span without them and `lineage.removed` = those spans
 * (the span itself still indexes the original text).
 */
export function chunkDocument(source: SourceDocument, params: ChunkParams, tok: TextTokenizer, holes: readonly TextSpan[] = []): CompletionRecord[] {
  const { doc } = source;
  const hash = paramsHash({ builder: 'chunk', ...params });
  const units = documentUnits(doc, tok, params.maxTokens, holes);
  const textOf = (start: number, end: number) => (holes.length ? textWithout(doc.text, start, end, holes) : doc.text.slice(start, end));
  const chunks = packUnits(textOf, units, params, tok);
  return chunks.map((c, index) => {
    const first = c.units[c.own]!;
    const start = c.units[0]!.start;
    const end = c.units[c.units.length - 1]!.end;
    const removed = holes.length ? holesIn(holes, start, end) : [];
    const lineage: CompletionRecord['lineage'] = {
      documentId: doc.id,
      sourcePath: source.sourcePath,
      ...(first.page !== undefined ? { page: first.page } : pageAt(doc, start)),
      ...(first.slide !== undefined ? { slide: first.slide } : {}),
      span: { start, end },
      headingPath: first.headingPath,
      builder: 'chunk',
      paramsHash: hash,
      ...(removed.length ? { removed } : {}),
    };
    const flags = c.units.some((u) => u.cut) ? ['cut-oversize-block'] : undefined;
    return { id: recordId({ builder: 'chunk', paramsHash: hash, documentId: doc.id, span: { start, end } }, index), kind: 'completion', text: textOf(start, end), lineage, tokens: c.tokens, ...(flags ? { flags } : {}) };
  });
}

function pageAt(doc: ExtractedDocument, offset: number): { page?: number } {
  const page = doc.pages?.find((p) => offset >= p.start && offset < p.end);
  return page ? { page: page.number } : {};
}

interface Chunk {
  units: Unit[];
  /** Index of the first unit that is not overlap from the previous chunk. */
  own: number;
  tokens: number;
}

/** Greedy packing of units into chunks; see chunkDocument for the rules. */
function packUnits(textOf: (start: number, end: number) => string, units: readonly Unit[], p: ChunkParams, tok: TextTokenizer): Chunk[] {
  const out: Chunk[] = [];
  let cur: Unit[] = [];
  let own = 0;
  let sum = 0;
  const half = Math.floor(p.targetTokens / 2);
  const measure = (us: readonly Unit[]) => tok.count(textOf(us[0]!.start, us[us.length - 1]!.end));

  /**
   * Emits `cur` (less trailing headings, and less trailing units while it is over the maximum); returns the
   * units carried over to the next chunk. Always emits when `cur` holds a body unit, so packing progresses.
   */
  const flush = (): Unit[] => {
    const carry: Unit[] = [];
    const bodies = () => cur.slice(own).filter((u) => u.kind !== 'heading').length;
    const popHeadings = () => {
      while (cur.length > own && cur[cur.length - 1]!.kind === 'heading') carry.unshift(cur.pop()!);
    };
    popHeadings();
    if (!bodies()) return [...cur.splice(own), ...carry];
    let tokens = measure(cur);
    while (tokens > p.maxTokens && bodies() > 1) {
      carry.unshift(cur.pop()!);
      popHeadings();
      tokens = measure(cur);
    }
    if (tokens > p.maxTokens && own > 0) {
      cur = cur.slice(own); // drop the overlap rather than exceed the maximum
      own = 0;
      tokens = measure(cur);
    }
    while (tokens > p.maxTokens && cur[0]!.kind === 'heading') {
      // A heading and a body that cannot share a chunk: the heading stays in the record's lineage only.
      cur.shift();
      tokens = measure(cur);
    }
    out.push({ units: cur, own, tokens });
    return carry;
  };

  const overlapFrom = (prev: readonly Unit[], next: Unit | undefined): Unit[] => {
    if (!p.overlapTokens || !next || next.sectionStart || next.kind === 'heading') return [];
    const taken: Unit[] = [];
    let t = 0;
    for (let i = prev.length - 1; i >= 0; i--) {
      const u = prev[i]!;
      if (u.kind !== 'text' || t + u.tokens > p.overlapTokens) break;
      taken.unshift(u);
      t += u.tokens;
      if (u.blockStart) break;
    }
    return t + next.tokens <= p.maxTokens ? taken : [];
  };

  let queue: Unit[] = [];
  let i = 0;
  const nextUnit = (): Unit | undefined => (queue.length ? queue.shift() : units[i++]);
  for (let u = nextUnit(); u; u = nextUnit()) {
    const ownTokens = sum - cur.slice(0, own).reduce((s, x) => s + x.tokens, 0);
    const full = sum + u.tokens > p.targetTokens && !(ownTokens < half && sum + u.tokens <= p.maxTokens);
    const sectionBreak = u.sectionStart && ownTokens >= half;
    if (cur.length > own && (full || sectionBreak) && cur.slice(own).some((x) => x.kind !== 'heading')) {
      const emitted = out.length;
      const carry = flush();
      const prevUnits = out.length > emitted ? out[out.length - 1]!.units : [];
      const firstNext = carry[0] ?? u;
      const overlap = overlapFrom(prevUnits, firstNext);
      cur = [...overlap];
      own = overlap.length;
      sum = overlap.reduce((s, x) => s + x.tokens, 0);
      queue = [...carry, u, ...queue];
      continue;
    }
    cur.push(u);
    sum += u.tokens;
  }
  // Headings left at the very end have no body to attach to: they are not a chunk of their own.
  if (cur.length > own) flush();
  return out;
}
