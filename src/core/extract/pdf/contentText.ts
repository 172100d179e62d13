/**
 * Runs a page's content stream for its text (PDF 32000-1 §8.4, §9.3–9.4): graphics-state stack and CTM, text and
 * line matrices, Tc/Tw/Tz/TL/Ts, Tj/TJ/'/", form XObjects. Each visible glyph's Unicode (glyphText.ts) and device
 * position go to GlyphRuns (glyphRuns.ts), which joins them into runs; what else the page draws is counted in its
 * PageDrawing (pageDrawing.ts).
 */
import type { PositionedText } from './layout';
import { SimpleFont, loadFont, type PdfFont } from './fonts';
import { Op, registerTextOperators } from './contentOps';
import { GlyphRuns } from './glyphRuns';
import { PdfDict, PdfName, PdfOp, PdfStream, PdfUnsupportedError, isName, type PdfObject } from './objects';
import type { PdfFile } from './pdfFile';
import { UNDECODABLE } from './glyphText';
import { countShown, emptyDrawing, inlineImageSize, matrixArea, type PageDrawing } from './pageDrawing';
import { PdfLexer } from './syntax';

export type { PageDrawing } from './pageDrawing';

registerTextOperators();

type Matrix = [number, number, number, number, number, number];

interface GState {
  ctm: Matrix;
  font: PdfFont | undefined;
  fontKey: PdfDict | undefined;
  fontSize: number;
  charSpacing: number;
  wordSpacing: number;
  hScale: number;
  leading: number;
  rise: number;
}

const MAX_FORM_DEPTH = 12;
const FORM_BUDGET = 20_000;


const num = (a: PdfObject[], i: number): number => {
  const v = a[i];
  return typeof v === 'number' ? v : 0;
};

const multiply = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[1] * n[2],
  m[0] * n[1] + m[1] * n[3],
  m[2] * n[0] + m[3] * n[2],
  m[2] * n[1] + m[3] * n[3],
  m[4] * n[0] + m[5] * n[2] + n[4],
  m[4] * n[1] + m[5] * n[3] + n[5],
];

export class PageTextReader {
  readonly drawing: PageDrawing;
  private gs: GState;
  private readonly stack: GState[] = [];
  private tm: Matrix = [1, 0, 0, 1, 0, 0];
  private tlm: Matrix = [1, 0, 0, 1, 0, 0];
  /** The glyphs shown so far, joined into runs. */
  private readonly runs = new GlyphRuns();
  private readonly activeForms = new Set<PdfStream>();
  private formsDrawn = 0;
  /** Graphics states below this depth belong to an enclosing form: its content cannot pop them. */
  private floor = 0;
  private readonly code = { code: 0, length: 0 };

  constructor(
    private readonly file: PdfFile,
    private readonly fonts: Map<PdfDict, PdfFont>,
    /** The visible page area [x0, y0, x1, y1]; glyphs outside it are not text a reader sees. */
    private readonly view: readonly [number, number, number, number] | undefined,
    /** Only record what the page draws (PageDrawing): fonts are not loaded and no text is made. */
    private readonly drawingOnly = false,
  ) {
    this.drawing = emptyDrawing(view);
    this.gs = { ctm: [1, 0, 0, 1, 0, 0], font: undefined, fontKey: undefined, fontSize: 0, charSpacing: 0, wordSpacing: 0, hScale: 1, leading: 0, rise: 0 };
  }

  read(content: Uint8Array, resources: PdfDict | undefined): PositionedText[] {
    this.run(content, resources, 0);
    return this.runs.finish();
  }

  private run(content: Uint8Array, resources: PdfDict | undefined, depth: number): void {
    const lexer = new PdfLexer(content);
    const args: Array<PdfObject> = [];
    for (;;) {
      const item = lexer.next();
      if (item === undefined) break;
      if (!(item instanceof PdfOp)) {
        if (args.length < 64) args.push(item);
        continue;
      }
      if (item.code) this.op(item.code, args, resources, depth);
      args.length = 0;
    }
  }

  private op(op: Op, a: PdfObject[], resources: PdfDict | undefined, depth: number): void {
    const gs = this.gs;
    if (this.drawingOnly && op >= Op.FONT && op <= Op.NEXT_LINE_SHOW_SPACING) {
      if (op >= Op.SHOW) this.drawing.glyphs += countShown(a);
      return;
    }
    switch (op) {
      case Op.BEGIN_TEXT:
        this.tm = [1, 0, 0, 1, 0, 0];
        this.tlm = [1, 0, 0, 1, 0, 0];
        return;
      case Op.FONT: {
        gs.fontSize = num(a, 1);
        this.setFont(a[0], resources);
        return;
      }
      case Op.MOVE:
        this.moveLine(num(a, 0), num(a, 1));
        return;
      case Op.MOVE_SET_LEADING:
        gs.leading = -num(a, 1);
        this.moveLine(num(a, 0), num(a, 1));
        return;
      case Op.MATRIX:
        if (a.length >= 6) {
          this.tlm = [num(a, 0), num(a, 1), num(a, 2), num(a, 3), num(a, 4), num(a, 5)];
          this.tm = [...this.tlm];
        }
        return;
      case Op.NEXT_LINE:
        this.moveLine(0, -gs.leading);
        return;
      case Op.SHOW:
        if (a[0] instanceof Uint8Array) this.show(a[0]);
        return;
      case Op.SHOW_SPACED: {
        const arr = a[0];
        if (!Array.isArray(arr)) return;
        for (const x of arr) {
          if (x instanceof Uint8Array) this.show(x);
          else if (typeof x === 'number') this.advance((-x / 1000) * gs.fontSize * gs.hScale);
        }
        return;
      }
      case Op.NEXT_LINE_SHOW:
        this.moveLine(0, -gs.leading);
        if (a[0] instanceof Uint8Array) this.show(a[0]);
        return;
      case Op.NEXT_LINE_SHOW_SPACING:
        gs.wordSpacing = num(a, 0);
        gs.charSpacing = num(a, 1);
        this.moveLine(0, -gs.leading);
        if (a[2] instanceof Uint8Array) this.show(a[2]);
        return;
      case Op.CHAR_SPACING:
        gs.charSpacing = num(a, 0);
        return;
      case Op.WORD_SPACING:
        gs.wordSpacing = num(a, 0);
        return;
      case Op.H_SCALE:
        gs.hScale = num(a, 0) / 100;
        return;
      case Op.LEADING:
        gs.leading = num(a, 0);
        return;
      case Op.RISE:
        gs.rise = num(a, 0);
        return;
      case Op.SAVE:
        if (this.stack.length < 256) this.stack.push({ ...gs, ctm: [...gs.ctm] });
        return;
      case Op.RESTORE:
        // Unbalanced Q (more than q) stops at the start of the current form or page.
        if (this.stack.length > this.floor) this.gs = this.stack.pop()!;
        return;
      case Op.CONCAT:
        if (a.length >= 6) gs.ctm = multiply([num(a, 0), num(a, 1), num(a, 2), num(a, 3), num(a, 4), num(a, 5)], gs.ctm);
        return;
      case Op.EXT_G_STATE:
        if (!this.drawingOnly) this.extGState(a[0], resources);
        return;
      case Op.XOBJECT:
        this.form(a[0], resources, depth);
        return;
      case Op.PATH:
        this.drawing.paths++;
        return;
      case Op.SHADING:
        this.drawing.shadings++;
        return;
      case Op.INLINE_IMAGE:
        this.drawing.inlineImages.push(inlineImageSize(a));
        this.drawing.imageArea += matrixArea(gs.ctm);
        return;
    }
  }

  private setFont(nameObj: PdfObject | undefined, resources: PdfDict | undefined): void {
    if (!(nameObj instanceof PdfName)) return;
    const dict = this.file.dictOf(this.file.get(this.file.dictOf(resources?.get('Font')), nameObj.name));
    if (!dict) throw new PdfUnsupportedError(`font ${nameObj.name} is not in the page resources`);
    this.useFont(dict);
  }

  private useFont(dict: PdfDict): void {
    let font = this.fonts.get(dict);
    if (!font) {
      font = loadFont(this.file, dict);
      this.fonts.set(dict, font);
    }
    this.gs.font = font;
    this.gs.fontKey = dict;
  }

  private extGState(nameObj: PdfObject | undefined, resources: PdfDict | undefined): void {
    if (!(nameObj instanceof PdfName)) return;
    const egs = this.file.dictOf(this.file.get(this.file.dictOf(resources?.get('ExtGState')), nameObj.name));
    const fontEntry = this.file.get(egs, 'Font');
    if (!Array.isArray(fontEntry)) return;
    const dict = this.file.dictOf(fontEntry[0]);
    const size = this.file.resolve(fontEntry[1]);
    if (dict) this.useFont(dict);
    if (typeof size === 'number') this.gs.fontSize = size;
  }

  private form(nameObj: PdfObject | undefined, resources: PdfDict | undefined, depth: number): void {
    if (!(nameObj instanceof PdfName) || depth >= MAX_FORM_DEPTH) return;
    const xobj = this.file.get(this.file.dictOf(resources?.get('XObject')), nameObj.name);
    if (xobj instanceof PdfStream && isName(this.file.resolve(xobj.dict.get('Subtype')), 'Image')) {
      this.drawing.images.add(xobj);
      this.drawing.imageArea += matrixArea(this.gs.ctm);
    }
    if (!(xobj instanceof PdfStream) || !isName(xobj.dict.get('Subtype'), 'Form')) return;
    // A form drawing itself (directly or not) is drawn once; and a page may not draw more than FORM_BUDGET
    // forms in all, so nested forms used many times over cannot multiply into endless work.
    if (this.activeForms.has(xobj) || ++this.formsDrawn > FORM_BUDGET) return;
    this.activeForms.add(xobj);
    this.runs.flush(false);
    const saved = this.gs;
    const savedDepth = this.stack.length;
    const savedFloor = this.floor;
    this.stack.push(saved);
    this.floor = this.stack.length;
    this.gs = { ...saved, ctm: [...saved.ctm] };
    const m = this.file.resolve(xobj.dict.get('Matrix'));
    if (Array.isArray(m) && m.length >= 6 && m.every((x) => typeof x === 'number')) this.gs.ctm = multiply(m as Matrix, this.gs.ctm);
    const savedTm = this.tm;
    const savedTlm = this.tlm;
    const inner = this.file.dictOf(xobj.dict.get('Resources')) ?? resources;
    try {
      this.run(this.file.streamBytes(xobj), inner, depth + 1);
    } finally {
      this.activeForms.delete(xobj);
    }
    this.runs.flush(false);
    this.stack.length = savedDepth;
    this.floor = savedFloor;
    this.gs = saved;
    this.tm = savedTm;
    this.tlm = savedTlm;
  }

  private moveLine(tx: number, ty: number): void {
    const l = this.tlm;
    l[4] += tx * l[0] + ty * l[2];
    l[5] += tx * l[1] + ty * l[3];
    this.tm = [...l];
  }

  private advance(tx: number): void {
    this.tm[4] += tx * this.tm[0];
    this.tm[5] += tx * this.tm[1];
  }

  private show(bytes: Uint8Array): void {
    const gs = this.gs;
    const font = gs.font;
    if (!font) throw new PdfUnsupportedError('text shown before any font is set');
    this.drawing.glyphs += bytes.length;
    const { tm } = this;
    const c = gs.ctm;
    const fs = gs.fontSize;
    const th = gs.hScale;
    const { rise, charSpacing, wordSpacing } = gs;
    // Rendering matrix of this string, less the translation: trm = [fs·Th 0 0 fs 0 rise] × Tm × CTM.
    const ma = tm[0] * c[0] + tm[1] * c[2];
    const mb = tm[0] * c[1] + tm[1] * c[3];
    const mc = tm[2] * c[0] + tm[3] * c[2];
    const md = tm[2] * c[1] + tm[3] * c[3];
    const size = Math.hypot(fs * th * ma, fs * th * mb);
    const height = Math.hypot(fs * mc, fs * md) || size;
    const scale = Math.hypot(ma, mb);
    const ux = scale ? ma / scale : 1;
    const uy = scale ? mb / scale : 0;
    const runs = this.runs;
    if (runs.str && (font !== runs.runFont || Math.abs(size - runs.runSize) > 0.01 || Math.abs(ux - runs.ux) > 1e-3 || Math.abs(uy - runs.uy) > 1e-3)) runs.flush(false);
    const v = this.view;
    const x0 = v ? v[0] : -Infinity;
    const y0 = v ? v[1] : -Infinity;
    const x1 = v ? v[2] : Infinity;
    const y1 = v ? v[3] : Infinity;
    const glyphScale = fs * th * scale;
    const simple = font instanceof SimpleFont ? font : undefined;
    const out = this.code;
    // True while the previous glyph of this string was added: the next one starts exactly at the pen, so it only
    // extends the run (no gap to judge). Most glyphs take this path.
    let contiguous = false;
    // Kept in locals while the loop runs, written back where GlyphRuns reads them: textGlyphs for the page's
    // verdict, and the origin and text of the last glyph the fast path added (for GlyphRuns.glyph's copy test).
    let textGlyphs = 0;
    let lastX = 0;
    let lastY = 0;
    let lastText: string | undefined;
    for (let i = 0; i < bytes.length; i += out.length) {
      let code: number;
      if (simple) {
        code = bytes[i]!;
        out.length = 1;
      } else {
        font.readCode(bytes, i, out);
        code = out.code;
      }
      const tx0 = tm[4] + rise * tm[2];
      const ty0 = tm[5] + rise * tm[3];
      const gx = tx0 * c[0] + ty0 * c[2] + c[4];
      const gy = tx0 * c[1] + ty0 * c[3] + c[5];
      const text = simple ? simple.unicodes[code] : font.unicode(code);
      if (text === undefined) throw new PdfUnsupportedError(`font ${font.name} has no Unicode for code ${code}`);
      const spacing = charSpacing + (code === 32 && out.length === 1 ? wordSpacing : 0);
      if (font.vertical) {
        // Vertical writing: the pen moves down the column; each glyph is read as a line of its own, as viewers copy it.
        const ty = font.verticalAdvance(code) * fs + spacing;
        tm[4] += ty * tm[2];
        tm[5] += ty * tm[3];
        if (text === UNDECODABLE) this.undecodableGlyph(font);
        else if (!font.isSpace(code)) this.drawing.textGlyphs++;
        runs.verticalGlyph(font.isSpace(code) || text === UNDECODABLE ? '' : text, gx, gy, size);
        continue;
      }
      const w = simple ? simple.widths[code]! : font.width(code);
      const adv = (w * fs + spacing) * th;
      tm[4] += adv * tm[0];
      tm[5] += adv * tm[1];
      if (gx + w * glyphScale < x0 || gx > x1 || gy < y0 || gy > y1) {
        contiguous = false;
        continue;
      }
      if (simple ? simple.spaces[code] === 1 : font.isSpace(code)) {
        // Whitespace only leaves a pending space, which the next glyph keeps unless it overlaps the previous one.
        if (runs.open) runs.spacePending = true;
        contiguous = false;
        continue;
      }
      if (text === UNDECODABLE) {
        // Drawn, but nothing of it is text: counted for the page's verdict, never written (glyphText.ts). Inside a
        // run the pen moves over it, so a word missing one glyph (a ligature mapped to a control) stays one word.
        this.undecodableGlyph(font);
        if (contiguous) {
          runs.penX = gx + adv * ma;
          runs.penY = gy + adv * mb;
        }
        continue;
      }
      textGlyphs++;
      if (contiguous) {
        runs.str += text;
        if (text) runs.open = text.charCodeAt(text.length - 1) !== 32;
        runs.penX = gx + adv * ma;
        runs.penY = gy + adv * mb;
        lastX = gx;
        lastY = gy;
        lastText = text;
        continue;
      }
      if (lastText !== undefined) {
        runs.lastX = lastX;
        runs.lastY = lastY;
        runs.lastText = lastText;
        lastText = undefined;
      }
      runs.glyph(text, gx, gy, gx + adv * ma, gy + adv * mb, size, height, ux, uy, font);
      contiguous = true;
    }
    if (lastText !== undefined) {
      runs.lastX = lastX;
      runs.lastY = lastY;
      runs.lastText = lastText;
    }
    this.drawing.textGlyphs += textGlyphs;
  }

  private undecodableGlyph(font: PdfFont): void {
    this.drawing.undecodable++;
    this.drawing.undecodableFonts.add(font.name);
  }

}
