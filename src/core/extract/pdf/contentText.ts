/**
 * Runs a page's content stream for its text (PDF 32000-1 §8.4, §9.3–9.4): graphics-state stack and CTM, text and
 * line matrices, Tc/Tw/Tz/TL/Ts, Tj/TJ/'/", form XObjects. Glyphs are joined into positioned runs the way viewers
 * copy text: a gap of more than ~0.1 em inside a line becomes a space, a jump to another line ends the run.
 */
import { bidiReorder, hasRtl } from './bidi';
import type { PositionedText } from './layout';
import { SimpleFont, loadFont, type PdfFont } from './fonts';
import { PdfDict, PdfName, PdfOp, PdfStream, PdfUnsupportedError, isName, type PdfObject } from './objects';
import type { PdfFile } from './pdfFile';
import { PdfLexer } from './syntax';

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
/** Gap factors in units of the font height: up to NOT_A_SPACE glyphs touch, SPACE_MIN–SPACE_MAX is a space, beyond is a new run. */
const SPACE_MIN = 0.102;
const SPACE_MAX = 0.6;
const NEGATIVE_GAP = -0.2;
const NOT_A_SPACE = 0.03;
const VERTICAL_SHIFT = 0.25;
const COMPAT = /[\u00a0\u2000-\u200a\ufb00-\ufdff\ufe70-\ufefc]+/g;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** The operators this reader acts on, dispatched by number (PdfOp.code); every other operator is skipped. */
const enum Op {
  None,
  BEGIN_TEXT,
  FONT,
  MOVE,
  MOVE_SET_LEADING,
  MATRIX,
  NEXT_LINE,
  SHOW,
  SHOW_SPACED,
  NEXT_LINE_SHOW,
  NEXT_LINE_SHOW_SPACING,
  CHAR_SPACING,
  WORD_SPACING,
  H_SCALE,
  LEADING,
  RISE,
  SAVE,
  RESTORE,
  CONCAT,
  EXT_G_STATE,
  XOBJECT,
  PATH,
  SHADING,
  INLINE_IMAGE,
}
const OP_NAMES: Array<[string, Op]> = [
  ['BT', Op.BEGIN_TEXT], ['Tf', Op.FONT], ['Td', Op.MOVE], ['TD', Op.MOVE_SET_LEADING],
  ['Tm', Op.MATRIX], ['T*', Op.NEXT_LINE], ['Tj', Op.SHOW], ['TJ', Op.SHOW_SPACED],
  ["'", Op.NEXT_LINE_SHOW], ['"', Op.NEXT_LINE_SHOW_SPACING], ['Tc', Op.CHAR_SPACING], ['Tw', Op.WORD_SPACING],
  ['Tz', Op.H_SCALE], ['TL', Op.LEADING], ['Ts', Op.RISE], ['q', Op.SAVE],
  ['Q', Op.RESTORE], ['cm', Op.CONCAT], ['gs', Op.EXT_G_STATE], ['Do', Op.XOBJECT],
  // path construction (§8.5.2), shading (§8.7.4.2), inline image data (§8.9.7): recorded in PageDrawing only
  ['m', Op.PATH], ['l', Op.PATH], ['c', Op.PATH], ['v', Op.PATH], ['y', Op.PATH], ['h', Op.PATH], ['re', Op.PATH],
  ['sh', Op.SHADING], ['ID', Op.INLINE_IMAGE],
];
for (const [name, code] of OP_NAMES) PdfOp.of(name).code = code;

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

/**
 * What a page draws besides its text, counted while its content runs (forms included): enough to tell a blank
 * page from one worth OCR, and which images a renderer would decode.
 */
export interface PageDrawing {
  /** Glyphs shown (character codes in Tj/TJ/'/" strings), visible or not. */
  glyphs: number;
  /** Image XObjects drawn with Do (§8.9.5), directly or from a form. */
  images: Set<PdfStream>;
  /** Inline images (§8.9.7): their declared /W and /H, in pixels. */
  inlineImages: Array<{ width: number; height: number }>;
  /** Path construction operators (m l c v y h re, §8.5.2). */
  paths: number;
  /** Shadings painted with sh (§8.7.4.2). */
  shadings: number;
}

export class PageTextReader {
  readonly drawing: PageDrawing = { glyphs: 0, images: new Set(), inlineImages: [], paths: 0, shadings: 0 };
  private readonly out: PositionedText[] = [];
  private gs: GState;
  private readonly stack: GState[] = [];
  private tm: Matrix = [1, 0, 0, 1, 0, 0];
  private tlm: Matrix = [1, 0, 0, 1, 0, 0];
  // the run being built
  private str = '';
  /**
   * `str` is not empty and does not end with a space. Kept beside it because `str` grows a glyph at a time (a rope
   * of small strings), and asking the rope how it ends flattens it: once per word, that was the reader's top cost
   * on long lines.
   */
  private open = false;
  private runX = 0;
  private runY = 0;
  private runSize = 0;
  private runHeight = 0;
  private ux = 1;
  private uy = 0;
  private penX = 0;
  private penY = 0;
  private runFont: PdfFont | undefined;
  private hasPen = false;
  private spacePending = false;
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
    this.gs = { ctm: [1, 0, 0, 1, 0, 0], font: undefined, fontKey: undefined, fontSize: 0, charSpacing: 0, wordSpacing: 0, hScale: 1, leading: 0, rise: 0 };
  }

  read(content: Uint8Array, resources: PdfDict | undefined): PositionedText[] {
    this.run(content, resources, 0);
    this.flush(false);
    return this.out;
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
    if (xobj instanceof PdfStream && isName(this.file.resolve(xobj.dict.get('Subtype')), 'Image')) this.drawing.images.add(xobj);
    if (!(xobj instanceof PdfStream) || !isName(xobj.dict.get('Subtype'), 'Form')) return;
    // A form drawing itself (directly or not) is drawn once; and a page may not draw more than FORM_BUDGET
    // forms in all, so nested forms used many times over cannot multiply into endless work.
    if (this.activeForms.has(xobj) || ++this.formsDrawn > FORM_BUDGET) return;
    this.activeForms.add(xobj);
    this.flush(false);
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
    this.flush(false);
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
    if (this.str && (font !== this.runFont || Math.abs(size - this.runSize) > 0.01 || Math.abs(ux - this.ux) > 1e-3 || Math.abs(uy - this.uy) > 1e-3)) this.flush(false);
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
        this.verticalGlyph(font.isSpace(code) ? '' : text, gx, gy, size);
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
        if (this.open) this.spacePending = true;
        contiguous = false;
        continue;
      }
      if (contiguous) {
        this.str += text;
        if (text) this.open = text.charCodeAt(text.length - 1) !== 32;
        this.penX = gx + adv * ma;
        this.penY = gy + adv * mb;
        continue;
      }
      this.glyph(text, gx, gy, gx + adv * ma, gy + adv * mb, size, height, ux, uy, font);
      contiguous = true;
    }
  }

  /**
   * Adds one visible glyph at device position (gx, gy) whose advance ends at (endX, endY). The gap between glyphs,
   * not space characters, decides where words break, so layout-by-spaces and kerned text both come out right.
   */
  private glyph(text: string, gx: number, gy: number, endX: number, endY: number, size: number, height: number, ux: number, uy: number, font: PdfFont): void {
    if (this.hasPen) {
      const dx = gx - this.penX;
      const dy = gy - this.penY;
      const along = dx * this.ux + dy * this.uy;
      const across = dy * this.ux - dx * this.uy;
      const h = (this.str && this.runHeight) || height;
      if (along < NEGATIVE_GAP * h) {
        this.spacePending = false;
        this.flush(Math.abs(across) > 0.5 * h);
      } else if (Math.abs(across) > h) {
        this.spacePending = false;
        this.flush(true);
      } else {
        if (along <= NOT_A_SPACE * h) this.spacePending = false;
        if (along > SPACE_MAX * h) {
          this.spacePending = false;
          this.flush(false);
        } else if ((along > SPACE_MIN * h || this.spacePending) && this.open) this.space();
        if (Math.abs(across) > VERTICAL_SHIFT * h) this.flush(false);
      }
    }
    if (this.spacePending && this.open) this.space();
    this.spacePending = false;
    if (!this.str) {
      this.runX = gx;
      this.runY = gy;
      this.runSize = size;
      this.runHeight = height;
      this.ux = ux;
      this.uy = uy;
      this.runFont = font;
    }
    this.str += text;
    if (text) this.open = text.charCodeAt(text.length - 1) !== 32;
    this.penX = endX;
    this.penY = endY;
    this.hasPen = true;
  }

  private space(): void {
    this.str += ' ';
    this.open = false;
  }

  private verticalGlyph(text: string, gx: number, gy: number, size: number): void {
    this.flush(false);
    if (!text) return;
    this.out.push({ str: text.replace(CONTROL, ''), x: gx, y: gy, width: size, size, rtl: false, eol: true });
    this.hasPen = false;
  }

  /** Ends the current run; `eol` marks a line break after it. */
  private flush(eol: boolean): void {
    if (this.str) {
      let str = this.str.replace(CONTROL, '').replace(COMPAT, (s) => s.normalize('NFKC'));
      let rtl = false;
      if (hasRtl(str)) ({ text: str, rtl } = bidiReorder(str));
      const width = (this.penX - this.runX) * this.ux + (this.penY - this.runY) * this.uy;
      this.out.push({ str, x: this.runX, y: this.runY, width, size: this.runSize || this.runHeight, rtl, eol });
      this.str = '';
      this.open = false;
    } else if (eol && this.out.length && !this.out[this.out.length - 1]!.eol) {
      this.out.push({ str: '', x: this.penX, y: this.penY, width: 0, size: this.runSize, rtl: false, eol: true });
    }
  }
}

/** Bytes of the strings a show operator draws (one or two per glyph): a glyph count close enough to tell none from some. */
function countShown(a: PdfObject[]): number {
  let n = 0;
  for (const x of a) {
    if (x instanceof Uint8Array) n += x.length;
    else if (Array.isArray(x)) for (const y of x) if (y instanceof Uint8Array) n += y.length;
  }
  return n;
}

/** /W (/Width) and /H (/Height) of an inline image, from the key–value operands collected before ID. */
function inlineImageSize(a: PdfObject[]): { width: number; height: number } {
  let width = 0;
  let height = 0;
  for (let i = 0; i + 1 < a.length; i += 2) {
    const k = a[i];
    const v = a[i + 1];
    if (!(k instanceof PdfName) || typeof v !== 'number') continue;
    if (k.name === 'W' || k.name === 'Width') width = v;
    else if (k.name === 'H' || k.name === 'Height') height = v;
  }
  return { width, height };
}
