import { BrightRunError } from '../../errors';
import type { BackendResult } from '../backendTypes';
import { summaryMetadata, type CompoundFile, type SummaryInformation } from '../cfbContainer';
import { DocumentBuilder } from '../documentBuilder';
import type { ExtractionWarning } from '../types';

// [MS-PPT] record types used here.
const RT = {
  Document: 0x03e8,
  Slide: 0x03ee,
  SlideAtom: 0x03ef,
  Notes: 0x03f0,
  SlidePersistAtom: 0x03f3,
  SlideListWithText: 0x0ff0,
  UserEditAtom: 0x0ff5,
  CurrentUserAtom: 0x0ff6,
  PersistDirectoryAtom: 0x1772,
  OutlineTextRefAtom: 0x0f9e,
  TextHeaderAtom: 0x0f9f,
  TextCharsAtom: 0x0fa0,
  TextBytesAtom: 0x0fa8,
} as const;

const TITLE_TYPES = new Set([0, 6]); // Tx_TYPE_TITLE, Tx_TYPE_CENTERTITLE
const NOTES_TYPE = 2;

interface Rec {
  type: number;
  instance: number;
  container: boolean;
  start: number; // of the body
  end: number;
}

interface TextRun {
  kind: number; // TextHeaderAtom type (title, body, notes, other…)
  text: string;
}

/**
 * PowerPoint 97–2003 (.ppt): follows the current user edit to the persist directory, walks the slide list
 * in presentation order (masters skipped), and reads each slide's text atoms — placeholder text from the
 * slide list, text boxes from the slide's drawing — then its notes page.
 */
export function extractPpt(cfb: CompoundFile, summary: SummaryInformation, file: string): Omit<BackendResult, 'backend'> {
  const stream = cfb.read('PowerPoint Document');
  if (!stream) throw corrupt(file, 'the "PowerPoint Document" stream is missing');
  if (cfb.streams.has('EncryptedSummary')) {
    throw new BrightRunError({ code: 'ENCRYPTED_FILE', file, message: `${file} is a password-protected PowerPoint presentation.`, remedy: 'Open it in PowerPoint, remove the password, save, and add it again.' });
  }
  const warnings: ExtractionWarning[] = [];
  const persist = readPersistDirectory(stream, cfb.read('Current User'), file);
  const doc = persist.get(persist.docRef ?? -1);
  const docRec = doc !== undefined ? header(stream, doc) : findTopLevel(stream, RT.Document);
  if (!docRec || docRec.type !== RT.Document) throw corrupt(file, 'the document container is missing');

  // SlideListWithText, instance 0 = slides (1 = masters, skipped; 2 = notes).
  const slides: Array<{ persistRef: number; placeholderTexts: TextRun[] }> = [];
  for (const slwt of children(stream, docRec).filter((r) => r.type === RT.SlideListWithText && r.instance === 0)) {
    let kind = 1;
    for (const r of children(stream, slwt)) {
      if (r.type === RT.SlidePersistAtom) slides.push({ persistRef: stream.readUInt32LE(r.start), placeholderTexts: [] });
      else if (r.type === RT.TextHeaderAtom) kind = stream.readUInt32LE(r.start);
      else if ((r.type === RT.TextCharsAtom || r.type === RT.TextBytesAtom) && slides.length) slides.at(-1)!.placeholderTexts.push({ kind, text: atomText(stream, r) });
    }
  }

  const b = new DocumentBuilder();
  let number = 0;
  for (const slide of slides) {
    number++;
    const offset = persist.get(slide.persistRef);
    const rec = offset !== undefined && offset + 8 <= stream.length ? header(stream, offset) : undefined;
    const runs = rec?.type === RT.Slide ? slideTexts(stream, rec, slide.placeholderTexts) : slide.placeholderTexts;
    if (rec?.type !== RT.Slide) warnings.push({ code: 'PARTIAL_CONTENT', message: `Slide ${number}: only its outline text could be read.`, page: number });
    b.beginPage(number, 'text-layer', `slide ${number}`);
    for (const run of runs) emitRun(b, run, number);
    if (rec?.type === RT.Slide) {
      const notesRef = slideNotesRef(stream, rec);
      const notesOffset = notesRef ? persist.get(notesRef) : undefined;
      if (notesOffset !== undefined && notesOffset + 8 <= stream.length) {
        const notes = header(stream, notesOffset);
        if (notes.type === RT.Notes) {
          const text = collectRuns(stream, notes, [])
            .filter((r) => r.kind === NOTES_TYPE || r.kind === 1)
            .map((r) => r.text)
            .join('\n');
          if (text.trim()) b.add({ type: 'notes', text: text.trim(), slide: number });
        }
      }
    }
    b.endPage();
  }
  return {
    ...b.result(),
    metadata: summaryMetadata({ ...summary, slides: slides.length }),
    warnings,
  };
}

function emitRun(b: DocumentBuilder, run: TextRun, slide: number): void {
  const text = run.text.replace(/\r/g, '\n').replace(/\u000b/g, '\n').trim();
  if (!text) return;
  if (TITLE_TYPES.has(run.kind)) b.heading(text.replace(/\n+/g, ' '), 2, { slide });
  else b.paragraph(text, { slide });
}

/** Text of a slide in drawing order; OutlineTextRefAtoms point into the slide list's placeholder texts. */
function slideTexts(stream: Buffer, slide: Rec, placeholders: TextRun[]): TextRun[] {
  const runs = collectRuns(stream, slide, placeholders);
  return runs.length ? runs : placeholders;
}

function collectRuns(stream: Buffer, container: Rec, placeholders: TextRun[]): TextRun[] {
  const runs: TextRun[] = [];
  let kind = 4;
  const walk = (rec: Rec) => {
    for (const r of children(stream, rec)) {
      if (r.container) walk(r);
      else if (r.type === RT.TextHeaderAtom) kind = stream.readUInt32LE(r.start);
      else if (r.type === RT.TextCharsAtom || r.type === RT.TextBytesAtom) runs.push({ kind, text: atomText(stream, r) });
      else if (r.type === RT.OutlineTextRefAtom) {
        const ref = placeholders[stream.readUInt32LE(r.start)];
        if (ref) runs.push(ref);
      }
    }
  };
  walk(container);
  return runs;
}

function slideNotesRef(stream: Buffer, slide: Rec): number | undefined {
  const atom = children(stream, slide).find((r) => r.type === RT.SlideAtom);
  if (!atom || atom.end - atom.start < 20) return undefined;
  const ref = stream.readUInt32LE(atom.start + 16); // geom(4) rgPlaceholderTypes(8) masterIdRef(4) notesIdRef(4)
  return ref || undefined;
}

function atomText(stream: Buffer, r: Rec): string {
  return r.type === RT.TextCharsAtom ? stream.toString('utf16le', r.start, r.end) : stream.toString('latin1', r.start, r.end);
}

function header(buf: Buffer, offset: number): Rec {
  const verInst = buf.readUInt16LE(offset);
  const len = buf.readUInt32LE(offset + 4);
  return { type: buf.readUInt16LE(offset + 2), instance: verInst >> 4, container: (verInst & 0xf) === 0xf, start: offset + 8, end: Math.min(buf.length, offset + 8 + len) };
}

function children(buf: Buffer, parent: Rec): Rec[] {
  const out: Rec[] = [];
  let p = parent.start;
  while (p + 8 <= parent.end) {
    const r = header(buf, p);
    out.push(r);
    if (r.end <= p) break;
    p = r.end;
  }
  return out;
}

function findTopLevel(buf: Buffer, type: number): Rec | undefined {
  return children(buf, { type: 0, instance: 0, container: true, start: 0, end: buf.length }).find((r) => r.type === type);
}

/** persistId → stream offset, from the newest edit back to the first (newer entries win). */
function readPersistDirectory(stream: Buffer, currentUser: Buffer | undefined, file: string): Map<number, number> & { docRef?: number } {
  const map = new Map<number, number>() as Map<number, number> & { docRef?: number };
  let editOffset: number | undefined;
  if (currentUser && currentUser.length >= 20 && currentUser.readUInt16LE(2) === RT.CurrentUserAtom) editOffset = currentUser.readUInt32LE(16);
  const seen = new Set<number>();
  while (editOffset !== undefined && editOffset > 0 && editOffset + 8 <= stream.length && !seen.has(editOffset)) {
    seen.add(editOffset);
    const edit = header(stream, editOffset);
    if (edit.type !== RT.UserEditAtom) throw corrupt(file, 'the edit history points at the wrong place');
    const lastEdit = stream.readUInt32LE(edit.start + 8);
    const dirOffset = stream.readUInt32LE(edit.start + 12);
    map.docRef ??= stream.readUInt32LE(edit.start + 16);
    const dir = header(stream, dirOffset);
    if (dir.type === RT.PersistDirectoryAtom) {
      let p = dir.start;
      while (p + 4 <= dir.end) {
        const entry = stream.readUInt32LE(p);
        const first = entry & 0xfffff;
        const count = entry >>> 20;
        for (let i = 0; i < count && p + 8 + i * 4 <= dir.end; i++) if (!map.has(first + i)) map.set(first + i, stream.readUInt32LE(p + 4 + i * 4));
        p += 4 + count * 4;
      }
    }
    editOffset = lastEdit || undefined;
  }
  return map;
}

function corrupt(file: string, what: string): BrightRunError {
  return new BrightRunError({ code: 'CORRUPT_FILE', file, message: `${file} is a damaged PowerPoint file: ${what}.`, remedy: 'Open it in PowerPoint or LibreOffice and save it as PPTX, then add that file.' });
}
