import type { Element } from '@xmldom/xmldom';
import type { OoxmlPackage } from '../ooxmlPackage';
import { childElements, descendants, firstDescendant, localName } from '../xml';

interface Level {
  start: number;
  format: string;
  text: string;
}

export interface NumberLabels {
  /** Label of each (non-empty) heading paragraph, in order; '' when it has no number. */
  headings: string[];
  /** Label of each numbered non-heading paragraph (a list item), in order; '' for bullets. */
  items: string[];
}

/**
 * Automatic numbers ("2.1 Scope", "2.3.1.") from word/numbering.xml, which mammoth does not render.
 * Walks the body's top-level paragraphs in order, keeps Word's counters per numbering instance and level,
 * and returns the labels of heading paragraphs and of list items, each in document order. A damaged
 * numbering.xml or styles.xml costs only the numbers (an UNREADABLE_PART warning on the package).
 */
export function numberLabels(pkg: OoxmlPackage): NumberLabels | undefined {
  if (!pkg.has('word/numbering.xml') || !pkg.has('word/styles.xml')) return undefined;
  const attr = (el: Element | undefined, name: string) => el?.getAttribute(`w:${name}`) ?? el?.getAttribute(name) ?? undefined;
  const child = (el: Element | undefined, name: string) => (el ? childElements(el).find((c) => localName(c) === name) : undefined);

  const numbering = pkg.auxiliary('word/numbering.xml');
  const stylesDoc = pkg.auxiliary('word/styles.xml');
  if (!numbering?.documentElement || !stylesDoc) return undefined;
  const abstract = new Map<string, Map<number, Level>>();
  for (const a of descendants(numbering, 'abstractNum')) {
    const levels = new Map<number, Level>();
    for (const lvl of childElements(a).filter((c) => localName(c) === 'lvl')) {
      levels.set(Number(attr(lvl, 'ilvl') ?? 0), {
        start: Number(attr(child(lvl, 'start'), 'val') ?? 1),
        format: attr(child(lvl, 'numFmt'), 'val') ?? 'decimal',
        text: attr(child(lvl, 'lvlText'), 'val') ?? '',
      });
    }
    abstract.set(attr(a, 'abstractNumId') ?? '', levels);
  }
  const nums = new Map<string, Map<number, Level>>();
  for (const n of childElements(numbering.documentElement).filter((c) => localName(c) === 'num')) {
    const levels = new Map(abstract.get(attr(child(n, 'abstractNumId'), 'val') ?? '') ?? []);
    for (const o of childElements(n).filter((c) => localName(c) === 'lvlOverride')) {
      const ilvl = Number(attr(o, 'ilvl') ?? 0);
      const start = attr(child(o, 'startOverride'), 'val');
      const base = levels.get(ilvl);
      if (base && start !== undefined) levels.set(ilvl, { ...base, start: Number(start) });
    }
    nums.set(attr(n, 'numId') ?? '', levels);
  }

  const styles = new Map<string, { name: string; basedOn?: string; numId?: string; ilvl?: number }>();
  for (const s of descendants(stylesDoc, 'style')) {
    if (attr(s, 'type') !== 'paragraph') continue;
    const numPr = firstDescendant(s, 'numPr');
    const basedOn = attr(child(s, 'basedOn'), 'val');
    const numId = attr(child(numPr, 'numId'), 'val');
    const ilvl = attr(child(numPr, 'ilvl'), 'val');
    styles.set(attr(s, 'styleId') ?? '', {
      name: (attr(child(s, 'name'), 'val') ?? '').toLowerCase(),
      ...(basedOn ? { basedOn } : {}),
      ...(numId ? { numId } : {}),
      ...(ilvl ? { ilvl: Number(ilvl) } : {}),
    });
  }
  const styleNumbering = (id: string | undefined): { numId?: string; ilvl?: number } => {
    for (let s = id ? styles.get(id) : undefined, depth = 0; s && depth < 10; s = s.basedOn ? styles.get(s.basedOn) : undefined, depth++) {
      if (s.numId) return { numId: s.numId, ...(s.ilvl !== undefined ? { ilvl: s.ilvl } : {}) };
    }
    return {};
  };

  const body = firstDescendant(pkg.body('word/document.xml'), 'body');
  if (!body) return undefined;
  const counters = new Map<string, number[]>();
  const labels: string[] = [];
  const items: string[] = [];
  for (const p of childElements(body).filter((c) => localName(c) === 'p')) {
    const pPr = child(p, 'pPr');
    const styleId = attr(child(pPr, 'pStyle'), 'val');
    const style = styleId ? styles.get(styleId) : undefined;
    const isHeading = !!style && /^(heading [1-9]|title|subtitle)$/.test(style.name);
    const direct = child(pPr, 'numPr');
    const fromStyle = styleNumbering(styleId);
    const numId = attr(child(direct, 'numId'), 'val') ?? fromStyle.numId;
    const ilvl = Number(attr(child(direct, 'ilvl'), 'val') ?? fromStyle.ilvl ?? 0);
    let label = '';
    const levels = numId && numId !== '0' ? nums.get(numId) : undefined;
    if (levels?.has(ilvl)) {
      const counts = counters.get(numId!) ?? [];
      // A level never used yet shows its start value ("2.1.1" when level 2 follows level 0 directly).
      for (let l = 0; l < ilvl; l++) counts[l] ??= levels.get(l)?.start ?? 1;
      counts[ilvl] = (counts[ilvl] ?? (levels.get(ilvl)?.start ?? 1) - 1) + 1;
      counts.length = ilvl + 1; // deeper levels restart
      counters.set(numId!, counts);
      const level = levels.get(ilvl)!;
      label = level.format === 'bullet' || level.format === 'none' ? '' : level.text.replace(/%(\d)/g, (_m, d: string) => formatNumber(counts[Number(d) - 1] ?? levels.get(Number(d) - 1)?.start ?? 1, levels.get(Number(d) - 1)?.format ?? 'decimal'));
    }
    if (!(p.textContent ?? '').trim()) continue;
    if (isHeading) labels.push(label.trim());
    else if (levels?.has(ilvl)) items.push(label.trim());
  }
  return { headings: labels, items };
}

function formatNumber(n: number, format: string): string {
  switch (format) {
    case 'lowerLetter':
      return letters(n).toLowerCase();
    case 'upperLetter':
      return letters(n);
    case 'lowerRoman':
      return roman(n).toLowerCase();
    case 'upperRoman':
      return roman(n);
    case 'decimalZero':
      return String(n).padStart(2, '0');
    case 'bullet':
    case 'none':
      return '';
    default:
      return String(n);
  }
}

function letters(n: number): string {
  const i = Math.max(1, n) - 1;
  return String.fromCharCode(65 + (i % 26)).repeat(Math.floor(i / 26) + 1);
}

function roman(n: number): string {
  const table: Array<[number, string]> = [[1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I']];
  let out = '';
  let v = Math.max(1, n);
  for (const [value, sym] of table) {
    while (v >= value) {
      out += sym;
      v -= value;
    }
  }
  return out;
}
