/**
 * Glyphs → positioned runs, the way viewers copy text (ISO 32000-1 §9.4.4: each glyph's origin and advance in
 * device space come from the content reader, contentText.ts): a gap of more than ~0.1 em inside a line becomes a
 * space, over 0.6 em or a move to another baseline ends the run. The finished page's runs lose the copies that
 * shadows and fake bold draw a fraction of a point away (shadowCopies.ts).
 */
import { bidiReorder, hasRtl } from './bidi';
import type { PdfFont } from './fonts';
import type { PositionedText } from './layout';
import { dropShadowCopies } from './shadowCopies';

/** Gap factors in units of the font height: up to NOT_A_SPACE glyphs touch, SPACE_MIN–SPACE_MAX is a space, beyond is a new run. */
const SPACE_MIN = 0.102;
const SPACE_MAX = 0.6;
const NEGATIVE_GAP = -0.2;
const NOT_A_SPACE = 0.03;
const VERTICAL_SHIFT = 0.25;
/** How far (in font heights, along and across the baseline) a glyph drawn again over the last one is its copy. */
const DUP_ALONG = 0.1;
const DUP_ACROSS = 0.2;
const COMPAT = /[\u00a0\u2000-\u200a\ufb00-\ufdff\ufe70-\ufefc]+/g;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/**
 * The run being built and the runs finished so far. The content reader's inner loop extends the current run
 * directly (`str`, `open`, `penX`, `penY`) for a glyph that starts exactly at the pen, and calls `glyph` for the rest.
 */
export class GlyphRuns {
  private readonly out: PositionedText[] = [];
  str = '';
  /**
   * `str` is not empty and does not end with a space. Kept beside it because `str` grows a glyph at a time (a rope
   * of small strings), and asking the rope how it ends flattens it: once per word, that was the reader's top cost
   * on long lines.
   */
  open = false;
  private runX = 0;
  private runY = 0;
  runSize = 0;
  private runHeight = 0;
  ux = 1;
  uy = 0;
  penX = 0;
  penY = 0;
  runFont: PdfFont | undefined;
  private hasPen = false;
  spacePending = false;
  /**
   * Where the last glyph added started, and its text: the content reader's inner loop sets them too. A glyph
   * drawn again on top of it (Acrobat-style fake bold, one glyph at a time) is dropped by `glyph`.
   */
  lastX = Number.NaN;
  lastY = 0;
  lastText = '';

  /**
   * Adds one visible glyph at device position (gx, gy) whose advance ends at (endX, endY). The gap between glyphs,
   * not space characters, decides where words break, so layout-by-spaces and kerned text both come out right.
   */
  glyph(text: string, gx: number, gy: number, endX: number, endY: number, size: number, height: number, ux: number, uy: number, font: PdfFont): void {
    if (text === this.lastText && this.str) {
      // The same glyph again within DUP_ALONG / DUP_ACROSS of the last one's origin (poppler's thresholds for
      // "fake bold"): a copy, not a letter repeated (that starts a whole advance, ≥ ~0.2 em, further on).
      const dx = gx - this.lastX;
      const dy = gy - this.lastY;
      const h = this.runHeight || height;
      if (Math.abs(dx * this.ux + dy * this.uy) <= DUP_ALONG * h && Math.abs(dy * this.ux - dx * this.uy) <= DUP_ACROSS * h) return;
    }
    this.lastX = gx;
    this.lastY = gy;
    this.lastText = text;
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

  verticalGlyph(text: string, gx: number, gy: number, size: number): void {
    this.flush(false);
    if (!text) return;
    this.out.push({ str: text.replace(CONTROL, ''), x: gx, y: gy, width: size, size, rtl: false, eol: true });
    this.hasPen = false;
  }

  /** Ends the current run; `eol` marks a line break after it. */
  flush(eol: boolean): void {
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
  /** Ends the last run and returns the page's runs, shadow copies dropped. */
  finish(): PositionedText[] {
    this.flush(false);
    return dropShadowCopies(this.out);
  }
}
