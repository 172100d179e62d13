/**
 * Right-to-left text in PDFs is drawn in visual order (glyphs placed left to right). This turns one run of it
 * back into reading order with the Unicode Bidirectional Algorithm (UAX #9) for a single paragraph without
 * explicit embeddings: weak types W1–W7, neutrals N1–N2, implicit levels I1–I2, reordering L2. A run that is
 * mostly left-to-right (under 30 % right-to-left characters) keeps left-to-right as its base direction.
 */

type BidiType = 'L' | 'R' | 'AL' | 'EN' | 'AN' | 'ES' | 'ET' | 'CS' | 'NSM' | 'WS' | 'ON';

const RTL_TEST = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/;

function typeOf(ch: string, code: number): BidiType {
  if (code >= 0x30 && code <= 0x39) return 'EN';
  if (code < 0x80) {
    if (/[A-Za-z]/.test(ch)) return 'L';
    if (/\s/.test(ch)) return 'WS';
    if (ch === '+' || ch === '-') return 'ES';
    if (ch === '#' || ch === '$' || ch === '%') return 'ET';
    if (ch === ',' || ch === '.' || ch === '/' || ch === ':') return 'CS';
    return 'ON';
  }
  if (code >= 0x0590 && code <= 0x05ff) return /\p{Mn}/u.test(ch) ? 'NSM' : 'R';
  if (code >= 0x0660 && code <= 0x0669) return 'AN';
  if (code === 0x066b || code === 0x066c) return 'AN';
  if (code >= 0x06f0 && code <= 0x06f9) return 'EN';
  if (code === 0x066a) return 'ET';
  if (code === 0x060c) return 'CS';
  if ((code >= 0x0600 && code <= 0x07bf) || (code >= 0x0860 && code <= 0x08ff) || (code >= 0xfb50 && code <= 0xfdff) || (code >= 0xfe70 && code <= 0xfefc)) {
    return /\p{Mn}/u.test(ch) ? 'NSM' : 'AL';
  }
  if ((code >= 0x07c0 && code <= 0x085f) || (code >= 0xfb1d && code <= 0xfb4f)) return 'R';
  if (code === 0xa0 || code === 0x202f) return 'CS';
  if (code === 0xb0 || (code >= 0xa2 && code <= 0xa5) || code === 0x20ac) return 'ET';
  if (/\s/.test(ch)) return 'WS';
  if (/\p{Mn}/u.test(ch)) return 'NSM';
  if (/[\p{L}\p{N}]/u.test(ch)) return 'L';
  return 'ON';
}

export function hasRtl(text: string): boolean {
  return RTL_TEST.test(text);
}

/** Visual-order text → reading order, and whether its base direction is right-to-left. */
export function bidiReorder(text: string): { text: string; rtl: boolean } {
  const chars = Array.from(text);
  const n = chars.length;
  const types = chars.map((c) => typeOf(c, c.codePointAt(0)!));
  const rtlCount = types.filter((t) => t === 'R' || t === 'AL' || t === 'AN').length;
  if (!rtlCount) return { text, rtl: false };
  const base = rtlCount / n < 0.3 && n > 4 ? 0 : 1;
  const sor: BidiType = base ? 'R' : 'L';
  // W1: non-spacing marks take the type of what precedes them.
  let prev: BidiType = sor;
  for (let i = 0; i < n; i++) {
    if (types[i] === 'NSM') types[i] = prev;
    else prev = types[i]!;
  }
  // W2: European digits after Arabic letters are Arabic digits; W3: AL → R.
  let strong: BidiType = sor;
  for (let i = 0; i < n; i++) {
    const t = types[i]!;
    if (t === 'EN' && strong === 'AL') types[i] = 'AN';
    else if (t === 'R' || t === 'L' || t === 'AL') strong = t;
  }
  for (let i = 0; i < n; i++) if (types[i] === 'AL') types[i] = 'R';
  // W4: one separator between two numbers of the same kind joins them.
  for (let i = 1; i < n - 1; i++) {
    const a = types[i - 1];
    const b = types[i + 1];
    if (types[i] === 'ES' && a === 'EN' && b === 'EN') types[i] = 'EN';
    else if (types[i] === 'CS' && (a === 'EN' || a === 'AN') && b === a) types[i] = a;
  }
  // W5: terminators next to European numbers become numbers; W6: other separators and terminators are neutral.
  for (let i = 0; i < n; i++) {
    if (types[i] !== 'EN') continue;
    for (let j = i - 1; j >= 0 && types[j] === 'ET'; j--) types[j] = 'EN';
    for (let j = i + 1; j < n && types[j] === 'ET'; j++) types[j] = 'EN';
  }
  for (let i = 0; i < n; i++) if (types[i] === 'ES' || types[i] === 'ET' || types[i] === 'CS' || types[i] === 'WS') types[i] = 'ON';
  // W7: European numbers in a left-to-right context are left-to-right.
  strong = sor;
  for (let i = 0; i < n; i++) {
    const t = types[i]!;
    if (t === 'EN' && strong === 'L') types[i] = 'L';
    else if (t === 'R' || t === 'L') strong = t;
  }
  // N1–N2: neutrals between text of one direction take it, otherwise the base direction.
  const dirOf = (t: BidiType | undefined): 'L' | 'R' => (t === 'L' ? 'L' : 'R');
  for (let i = 0; i < n; i++) {
    if (types[i] !== 'ON') continue;
    let end = i;
    while (end < n && types[end] === 'ON') end++;
    const before = i > 0 ? dirOf(types[i - 1]) : sor;
    const after = end < n ? dirOf(types[end]) : sor;
    const fill: BidiType = before === after ? before : sor;
    for (let j = i; j < end; j++) types[j] = fill;
    i = end - 1;
  }
  // I1–I2: implicit levels.
  const levels = types.map((t) => {
    if (base === 0) return t === 'R' ? 1 : t === 'AN' || t === 'EN' ? 2 : 0;
    return t === 'L' || t === 'EN' || t === 'AN' ? 2 : 1;
  });
  // L2: reverse every run at or above each level, from the highest level down to the lowest odd one.
  const max = Math.max(...levels);
  const minOdd = Math.min(...levels.filter((l) => l % 2 === 1), max);
  for (let level = max; level >= minOdd && level > 0; level--) {
    for (let i = 0; i < n; i++) {
      if (levels[i]! < level) continue;
      let end = i;
      while (end < n && levels[end]! >= level) end++;
      reverse(chars, i, end - 1);
      reverse(levels, i, end - 1);
      i = end - 1;
    }
  }
  return { text: chars.join(''), rtl: base === 1 };
}

function reverse<T>(a: T[], i: number, j: number): void {
  for (; i < j; i++, j--) [a[i], a[j]] = [a[j]!, a[i]!];
}
