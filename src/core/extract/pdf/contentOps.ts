/**
 * The content-stream operators the text reader acts on (ISO 32000-1 Annex A), numbered so that contentText.ts can
 * dispatch on PdfOp.code, a number set once per operator here, instead of comparing names per operator met.
 */
import { PdfOp } from './objects';

/** The operators this reader acts on, dispatched by number (PdfOp.code); every other operator is skipped. */
export const enum Op {
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

/** Numbers the operators (PdfOp.code); called once, when the content reader's module loads. */
export function registerTextOperators(): void {
  for (const [name, code] of OP_NAMES) PdfOp.of(name).code = code;
}
