/**
 * The standard-14 font metrics and the WinAnsi / Symbol / ZapfDingbats code tables shipped by
 * @pdf-lib/standard-fonts (Adobe AFM data), read straight from its compressed JSON files with Node's zlib: the
 * package's own loader inflates them with a JavaScript inflater, which costs a cold worker thread tens of
 * milliseconds. Everything is loaded on first use and cached.
 */
import { inflateSync } from 'node:zlib';

/** code point → [code, glyph name] */
export type UnicodeMappings = Record<string, [number, string]>;

export interface AfmFont {
  widths: Map<string, number>;
}

/** The data file for a name, each required literally so that bundlers include it. */
function compressedJson(name: string): string {
  /* eslint-disable @typescript-eslint/no-require-imports */
  switch (name) {
    case 'all-encodings':
      return require('@pdf-lib/standard-fonts/lib/all-encodings.compressed.json') as string;
    case 'Courier':
      return require('@pdf-lib/standard-fonts/lib/Courier.compressed.json') as string;
    case 'Courier-Bold':
      return require('@pdf-lib/standard-fonts/lib/Courier-Bold.compressed.json') as string;
    case 'Courier-Oblique':
      return require('@pdf-lib/standard-fonts/lib/Courier-Oblique.compressed.json') as string;
    case 'Courier-BoldOblique':
      return require('@pdf-lib/standard-fonts/lib/Courier-BoldOblique.compressed.json') as string;
    case 'Helvetica':
      return require('@pdf-lib/standard-fonts/lib/Helvetica.compressed.json') as string;
    case 'Helvetica-Bold':
      return require('@pdf-lib/standard-fonts/lib/Helvetica-Bold.compressed.json') as string;
    case 'Helvetica-Oblique':
      return require('@pdf-lib/standard-fonts/lib/Helvetica-Oblique.compressed.json') as string;
    case 'Helvetica-BoldOblique':
      return require('@pdf-lib/standard-fonts/lib/Helvetica-BoldOblique.compressed.json') as string;
    case 'Times-Roman':
      return require('@pdf-lib/standard-fonts/lib/Times-Roman.compressed.json') as string;
    case 'Times-Bold':
      return require('@pdf-lib/standard-fonts/lib/Times-Bold.compressed.json') as string;
    case 'Times-Italic':
      return require('@pdf-lib/standard-fonts/lib/Times-Italic.compressed.json') as string;
    case 'Times-BoldItalic':
      return require('@pdf-lib/standard-fonts/lib/Times-BoldItalic.compressed.json') as string;
    case 'Symbol':
      return require('@pdf-lib/standard-fonts/lib/Symbol.compressed.json') as string;
    case 'ZapfDingbats':
      return require('@pdf-lib/standard-fonts/lib/ZapfDingbats.compressed.json') as string;
    default:
      throw new Error(`no AFM data named ${name}`);
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
}

function load<T>(name: string): T {
  // Each data file is a JSON string holding base64 of a zlib stream of the JSON data.
  return JSON.parse(inflateSync(Buffer.from(compressedJson(name), 'base64')).toString('utf8')) as T;
}

interface AfmEncodings {
  symbol: UnicodeMappings;
  zapfdingbats: UnicodeMappings;
  win1252: UnicodeMappings;
}
let encodings: AfmEncodings | undefined;
export function afmEncodings(): AfmEncodings {
  encodings ??= load<AfmEncodings>('all-encodings');
  return encodings;
}

const fonts = new Map<string, AfmFont>();

/** Glyph widths (1/1000 em) of a standard-14 font by its canonical name. */
export function afmFont(name: string): AfmFont {
  let font = fonts.get(name);
  if (!font) {
    const data = load<{ CharMetrics: Array<{ N: string; WX: number }> }>(name);
    font = { widths: new Map(data.CharMetrics.map((m) => [m.N, m.WX])) };
    fonts.set(name, font);
  }
  return font;
}
