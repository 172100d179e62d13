import type { Document } from '@xmldom/xmldom';
import * as path from 'node:path';
import { BrightRunError } from '../errors';
import { formatCount, maxMemoryMb, resourceLimitError } from './limits';
import type { ExtractionWarning, ExtractOptions } from './types';
import { decodeXmlBytes, descendants, parseXmlStrict } from './xml';
import type { ZipArchive } from './zipArchive';

/**
 * The parts of a validated OOXML package (DOCX, PPTX), read for parsing:
 * - decoded from UTF-8 or UTF-16 with or without a byte-order mark (ECMA-376 Part 2 §8.1.4 allows both; xml.ts);
 * - checked against the memory budget before they are parsed (below);
 * - refused when they declare a DTD (OPC forbids DTD declarations in parts, ECMA-376 Part 2 §8.1.4; xmldom
 *   would leave entity references unexpanded, never fetch or expand them, so this is about honest text);
 * - parsed strictly: a part the parser reports errors in is damaged. A damaged *body* part (word/document.xml,
 *   ppt/presentation.xml, a slide) fails the file with CORRUPT_FILE naming it; a damaged *auxiliary* part
 *   (properties, styles, numbering, notes, comments, charts, relationships of auxiliary parts) is skipped with
 *   an UNREADABLE_PART warning naming it.
 */

/**
 * Memory a parsed XML part costs, measured as peak RSS growth while parsing a generated word/document.xml of
 * 40 MB on Node 20 (`process.resourceUsage().maxRSS`): it follows the markup's density, so it is estimated from
 * the part's bytes and its count of '<' (elements, end tags, PIs). Dense Word markup (a '<' every 13 bytes)
 * cost 51× its size in an @xmldom/xmldom DOM and 66× through mammoth (its own DOM, its document model, the HTML
 * and our DOM of that HTML); prose-heavy markup (a '<' every 110 bytes) 7.9× and 17.3×. Fitted: xmldom ≈ 2 B a
 * byte + 650 B a '<'; mammoth ≈ 11 B a byte + 730 B a '<'. The constants below round those up.
 */
export const XML_COST = {
  dom: { perByte: 3, perTag: 700 },
  mammoth: { perByte: 12, perTag: 800 },
} as const;
/** The longest string V8 holds (2^29 − 24 UTF-16 units); a part decoded into more cannot be parsed at all. */
const MAX_STRING_LENGTH = 2 ** 29 - 24;

export type PartRole = 'body' | 'auxiliary';

export class OoxmlPackage {
  readonly warnings: ExtractionWarning[] = [];
  private readonly budgetBytes: number;
  private readonly format: 'Word' | 'PowerPoint';

  constructor(
    readonly zip: ZipArchive,
    readonly file: string,
    options: ExtractOptions,
    kind: 'docx' | 'pptx',
  ) {
    this.budgetBytes = maxMemoryMb(options) * 1048576;
    this.format = kind === 'docx' ? 'Word' : 'PowerPoint';
  }

  has(name: string): boolean {
    return this.zip.has(name);
  }

  /**
   * Refuses, before anything is inflated, a part whose declared size alone (at `perByte`) is over the memory
   * budget: a 900 MB document.xml fails here with RESOURCE_LIMIT, not later as a damaged part.
   */
  precheck(name: string, cost: keyof typeof XML_COST): void {
    const bytes = this.zip.size(name);
    if (bytes * XML_COST[cost].perByte > this.budgetBytes) throw this.overBudget(name, bytes * XML_COST[cost].perByte);
  }

  /** A part's text, decoded, after the memory check for parsing it at `cost`. */
  text(name: string, cost: keyof typeof XML_COST = 'dom'): string {
    this.precheck(name, cost);
    const bytes = this.zip.read(name);
    let tags = 0;
    for (let i = bytes.indexOf(0x3c); i >= 0; i = bytes.indexOf(0x3c, i + 1)) tags++;
    const estimate = bytes.length * XML_COST[cost].perByte + tags * XML_COST[cost].perTag;
    if (estimate > this.budgetBytes || bytes.length > MAX_STRING_LENGTH) throw this.overBudget(name, estimate);
    return decodeXmlBytes(bytes);
  }

  /**
   * Before the archive is inflated (ZipArchive.verifyAll): the body parts' declared sizes against the memory
   * budget, so an oversized body costs neither the time nor the memory of inflating it.
   */
  precheckBodies(): void {
    if (this.format === 'Word') this.precheck('word/document.xml', 'mammoth');
    else for (const name of this.zip.names()) if (/^ppt\/(presentation|slides\/[^/]+)\.xml$/.test(name)) this.precheck(name, 'dom');
  }

  /** Parses a body part; a damaged one fails the file with CORRUPT_FILE naming it. */
  body(name: string, cost: keyof typeof XML_COST = 'dom'): Document {
    const parsed = this.tryParse(name, cost);
    if ('error' in parsed) throw this.damaged(name, parsed.error);
    return parsed.doc;
  }

  /** Parses an auxiliary part; a missing one is undefined, a damaged one undefined with a warning. */
  auxiliary(name: string, cost: keyof typeof XML_COST = 'dom'): Document | undefined {
    if (!this.zip.has(name)) return undefined;
    const parsed = this.tryParse(name, cost);
    if ('doc' in parsed) return parsed.doc;
    this.warnUnreadable(name, parsed.error);
    return undefined;
  }

  /** Text of an auxiliary part checked to parse (for a library that parses it again), or undefined with a warning. */
  auxiliaryText(name: string, cost: keyof typeof XML_COST = 'dom'): string | undefined {
    const text = this.text(name, cost);
    const { error } = parseXmlStrict(text);
    if (error === undefined) return text;
    this.warnUnreadable(name, error);
    return undefined;
  }

  /**
   * A part's relationships (its `_rels/<name>.rels`, ECMA-376 Part 2 §9.3): id → absolute part path, internal
   * targets only. A body part's relationships are body (damaged: CORRUPT_FILE); others are auxiliary.
   */
  relationships(part: string, role: PartRole): Map<string, string> {
    const relsPath = path.posix.join(path.posix.dirname(part), '_rels', `${path.posix.basename(part)}.rels`);
    const map = new Map<string, string>();
    if (!this.has(relsPath)) return map;
    const doc = role === 'body' ? this.body(relsPath) : this.auxiliary(relsPath);
    if (!doc) return map;
    for (const rel of descendants(doc, 'Relationship')) {
      const target = rel.getAttribute('Target');
      const id = rel.getAttribute('Id');
      if (!target || !id || rel.getAttribute('TargetMode') === 'External') continue;
      map.set(id, target.startsWith('/') ? target.slice(1) : path.posix.normalize(path.posix.join(path.posix.dirname(part), target)));
    }
    return map;
  }

  warnUnreadable(name: string, why: string): void {
    if (this.warnings.some((w) => w.code === 'UNREADABLE_PART' && w.message.startsWith(`The part ${name} `))) return;
    this.warnings.push({ code: 'UNREADABLE_PART', message: `The part ${name} could not be read (${why}); the rest of the document was extracted without it.` });
  }

  damaged(name: string, why: string, cause?: unknown): BrightRunError {
    return new BrightRunError(
      {
        code: 'CORRUPT_FILE',
        file: this.file,
        message: `${this.file} is damaged: its part ${name} cannot be read (${why}).`,
        remedy: `Open it in ${this.format} or LibreOffice and save it again, or restore a good copy.`,
      },
      cause === undefined ? undefined : { cause },
    );
  }

  private tryParse(name: string, cost: keyof typeof XML_COST): { doc: Document } | { error: string } {
    const text = this.text(name, cost);
    const { doc, error } = parseXmlStrict(text);
    return error === undefined && doc ? { doc } : { error: error ?? 'no root element' };
  }

  private overBudget(name: string, estimate: number): BrightRunError {
    return resourceLimitError(this.file, 'memory', `parsing its part ${name} (${formatCount(this.zip.size(name) / 1048576)} MB of XML) would take about ${formatCount(estimate / 1048576)} MB of memory`, `the ${formatCount(this.budgetBytes / 1048576)} MB memory budget`);
  }
}
