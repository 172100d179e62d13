import type { Element } from '@xmldom/xmldom';
import { childElements, flatText, localName } from '../xml';
import { ACCENTS, DELIMITERS, FUNCTIONS, NARY, latexChars, linearChars } from './ommlSymbols';

/** An equation as it goes into a document: LaTeX for the Markdown, linear text for the plain text. */
export interface RenderedMath {
  /** `$…$` inline, `$$…$$` display (one per equation of an m:oMathPara). */
  markdown: string;
  /** Linear text ("a^2+b^2=c^2", "(a+b)/2", "√(x)", "∑_(i=1)^n i"). */
  text: string;
  display: boolean;
}

/**
 * Office Math (OMML, ECMA-376 Part 1 §22.1) rendered twice from one walk: as LaTeX — `$…$` inline (m:oMath),
 * `$$…$$` display (m:oMathPara, §22.1.2.78), the form most ML corpora and Docling use — and as linear text for
 * the plain text. Covered (§22.1.2): runs (m:r/m:t; plain-style multi-letter runs as \mathrm), fractions (m:f,
 * bar/linear/no-bar), scripts (m:sSup, m:sSub, m:sSubSup, m:sPre), radicals (m:rad with degree), n-ary operators
 * (m:nary with limits, hidden limits), delimiters (m:d with begin/separator/end characters), functions (m:func),
 * accents (m:acc), bars (m:bar), group characters (m:groupChr), matrices (m:m), equation arrays (m:eqArr), lower
 * and upper limits (m:limLow, m:limUpp), boxes (m:box, m:borderBox) and phantoms; Greek letters and operators
 * become LaTeX commands (ommlSymbols.ts). Unknown elements are entered, so their text is never lost.
 */
export function renderMath(el: Element): RenderedMath {
  const equations = localName(el) === 'oMathPara' ? childElements(el).filter((c) => localName(c) === 'oMath') : [el];
  const display = localName(el) === 'oMathPara';
  // A space ends a command or a script before a letter; before an operator or closing mark it is only noise.
  const latex = equations.map((e) => tidy(tex(e, false)).replace(/ (?=[-+=<>,.;:!?)\]|/^_'])/g, '')).filter(Boolean);
  const text = equations.map((e) => tidy(lin(e))).filter(Boolean).join('; ');
  const markdown = display ? latex.map((l) => `$$${l}$$`).join(' ') : latex.length ? `$${latex.join(' ')}$` : '';
  return { markdown, text, display };
}

const tidy = (s: string) => s.replace(/\s+/g, ' ').trim();
const child = (el: Element, name: string) => childElements(el).find((c) => localName(c) === name);
/** The value of a property (m:xxxPr/m:name/@m:val); `absent` when the property is not there. */
function prop(el: Element, name: string, absent?: string): string | undefined {
  const pr = childElements(el).find((c) => localName(c).endsWith('Pr'));
  const p = pr ? child(pr, name) : undefined;
  if (!p) return absent;
  return p.getAttribute('m:val') ?? p.getAttribute('val') ?? '';
}
const on = (v: string | undefined) => v !== undefined && v !== '0' && v !== 'off' && v !== 'false';

/**
 * Structures nested deeper than this are rendered as their flat text: real equations nest a few levels, and a
 * hostile one nested thousands deep must not exhaust the call stack (each level costs a few frames).
 */
const MAX_DEPTH = 100;
let depth = 0;
function bounded<T extends unknown[]>(render: (el: Element, ...rest: T) => string, flat: (text: string) => string) {
  return (el: Element, ...rest: T): string => {
    if (depth >= MAX_DEPTH) return flat(flatText(el));
    depth++;
    try {
      return render(el, ...rest);
    } finally {
      depth--;
    }
  };
}

// ---- LaTeX ----

function texKids(el: Element | undefined, inArray: boolean): string {
  return el ? childElements(el).map((c) => tex(c, inArray)).join('') : '';
}
const texArg = (el: Element, name: string, inArray: boolean) => tidy(texKids(child(el, name), inArray));
/** A base or script in braces unless it is one character or one command. */
const brace = (s: string) => (/^(.|\\[a-zA-Z]+)$/.test(s) ? s : `{${s}}`);

const tex = bounded(texElement, (t) => latexChars(t));

function texElement(el: Element, inArray: boolean): string {
  const name = localName(el);
  if (name.endsWith('Pr')) return '';
  const arg = (n: string) => texArg(el, n, inArray);
  switch (name) {
    case 'r': {
      const t = childElements(el).filter((c) => localName(c) === 't').map((c) => c.textContent ?? '').join('');
      const plain = on(prop(el, 'nor')) || prop(el, 'sty') === 'p';
      return plain && /[a-z]{2}/i.test(t) ? `\\mathrm{${latexChars(t, inArray)}}` : latexChars(t, inArray);
    }
    case 't':
      return latexChars(el.textContent ?? '', inArray);
    case 'f': {
      const type = prop(el, 'type', 'bar');
      if (type === 'lin') return `${brace(arg('num'))}/${brace(arg('den'))}`;
      if (type === 'noBar') return `\\genfrac{}{}{0pt}{}{${arg('num')}}{${arg('den')}}`;
      return `\\frac{${arg('num')}}{${arg('den')}}`;
    }
    case 'sSup':
      return `${brace(arg('e'))}^${brace(arg('sup'))} `;
    case 'sSub':
      return `${brace(arg('e'))}_${brace(arg('sub'))} `;
    case 'sSubSup':
      return `${brace(arg('e'))}_${brace(arg('sub'))}^${brace(arg('sup'))} `;
    case 'sPre':
      return `{}_${brace(arg('sub'))}^${brace(arg('sup'))}${brace(arg('e'))}`;
    case 'rad': {
      const deg = arg('deg');
      return on(prop(el, 'degHide')) || !deg ? `\\sqrt{${arg('e')}}` : `\\sqrt[${deg}]{${arg('e')}}`;
    }
    case 'nary': {
      const chr = prop(el, 'chr', '∫')!;
      let out = NARY[chr] ?? `\\mathop{${latexChars(chr)}}`;
      if (!on(prop(el, 'subHide')) && arg('sub')) out += `_${brace(arg('sub'))}`;
      if (!on(prop(el, 'supHide')) && arg('sup')) out += `^${brace(arg('sup'))}`;
      return `${out} ${arg('e')} `;
    }
    case 'd': {
      const beg = prop(el, 'begChr', '(')!;
      const end = prop(el, 'endChr', ')')!;
      const sep = prop(el, 'sepChr', '|')!;
      const parts = childElements(el).filter((c) => localName(c) === 'e').map((e) => tidy(texKids(e, inArray)));
      return `\\left${DELIMITERS[beg] ?? latexChars(beg)}${parts.join(DELIMITERS[sep] ?? latexChars(sep))}\\right${DELIMITERS[end] ?? latexChars(end)} `;
    }
    case 'func': {
      const fname = arg('fName');
      const head = FUNCTIONS.has(fname) ? `\\${fname}` : /^\\/.test(fname) ? fname : `\\operatorname{${fname}}`;
      return `${head}{${arg('e')}} `;
    }
    case 'acc': {
      const cmd = ACCENTS[prop(el, 'chr', '\u0302')!] ?? 'hat';
      return `\\${cmd}{${arg('e')}}`;
    }
    case 'bar':
      return prop(el, 'pos', 'bot') === 'top' ? `\\overline{${arg('e')}}` : `\\underline{${arg('e')}}`;
    case 'groupChr': {
      const top = prop(el, 'pos', 'bot') === 'top';
      const chr = prop(el, 'chr', '\u23df')!;
      if (chr === '\u23df' || chr === '\u23de') return `\\${chr === '\u23de' ? 'overbrace' : 'underbrace'}{${arg('e')}}`;
      return `\\${top ? 'overset' : 'underset'}{${latexChars(chr)}}{${arg('e')}}`;
    }
    case 'limLow': {
      const base = arg('e');
      return FUNCTIONS.has(base.replace(/^\\mathrm\{(.*)\}$/, '$1')) ? `\\${base.replace(/^\\mathrm\{(.*)\}$/, '$1')}_${brace(arg('lim'))}` : `\\underset{${arg('lim')}}{${base}}`;
    }
    case 'limUpp':
      return `\\overset{${arg('lim')}}{${arg('e')}}`;
    case 'borderBox':
      return `\\boxed{${arg('e')}}`;
    case 'm': {
      const rows = childElements(el).filter((c) => localName(c) === 'mr').map((mr) => childElements(mr).filter((c) => localName(c) === 'e').map((e) => tidy(texKids(e, false))).join(' & '));
      return `\\begin{matrix}${rows.join(' \\\\ ')}\\end{matrix}`;
    }
    case 'eqArr': {
      const rows = childElements(el).filter((c) => localName(c) === 'e').map((e) => tidy(texKids(e, true)));
      return `\\begin{aligned}${rows.join(' \\\\ ')}\\end{aligned}`;
    }
    default:
      return texKids(el, inArray);
  }
}

// ---- linear text ----

function linKids(el: Element | undefined): string {
  return el ? childElements(el).map(lin).join('') : '';
}
const linArg = (el: Element, name: string) => tidy(linKids(child(el, name)));
/** An operand in parentheses unless it is one word, one number or already bracketed. */
const paren = (s: string) => (/^([\p{L}\p{N}.,]+|\(.*\)|\[.*\])$/u.test(s) && !/^\(.*\)\(.*\)$/.test(s) ? s : `(${s})`);

const lin = bounded(linElement, linearChars);

function linElement(el: Element): string {
  const name = localName(el);
  if (name.endsWith('Pr')) return '';
  const arg = (n: string) => linArg(el, n);
  switch (name) {
    case 'r':
      return childElements(el).filter((c) => localName(c) === 't').map((c) => linearChars(c.textContent ?? '')).join('');
    case 't':
      return linearChars(el.textContent ?? '');
    case 'f':
      return `${paren(arg('num'))}/${paren(arg('den'))}`;
    case 'sSup':
      return `${paren(arg('e'))}^${paren(arg('sup'))}`;
    case 'sSub':
      return `${paren(arg('e'))}_${paren(arg('sub'))}`;
    case 'sSubSup':
      return `${paren(arg('e'))}_${paren(arg('sub'))}^${paren(arg('sup'))}`;
    case 'sPre':
      return `_${paren(arg('sub'))}^${paren(arg('sup'))}${paren(arg('e'))}`;
    case 'rad': {
      const deg = on(prop(el, 'degHide')) ? '' : arg('deg');
      if (!deg || deg === '2') return `√${paren(arg('e'))}`;
      if (deg === '3' || deg === '4') return `${deg === '3' ? '∛' : '∜'}${paren(arg('e'))}`;
      return `${paren(arg('e'))}^(1/${deg})`;
    }
    case 'nary': {
      let out = prop(el, 'chr', '∫')!;
      if (!on(prop(el, 'subHide')) && arg('sub')) out += `_${paren(arg('sub'))}`;
      if (!on(prop(el, 'supHide')) && arg('sup')) out += `^${paren(arg('sup'))}`;
      return `${out} ${arg('e')} `;
    }
    case 'd': {
      const parts = childElements(el).filter((c) => localName(c) === 'e').map((e) => tidy(linKids(e)));
      return `${prop(el, 'begChr', '(')}${parts.join(prop(el, 'sepChr', '|'))}${prop(el, 'endChr', ')')}`;
    }
    case 'func': {
      const e = arg('e');
      return `${arg('fName')}${/^[([]/.test(e) ? '' : ' '}${e} `;
    }
    case 'acc':
    case 'bar': {
      const mark = name === 'acc' ? prop(el, 'chr', '\u0302')! : prop(el, 'pos', 'bot') === 'top' ? '\u0305' : '\u0332';
      const e = arg('e');
      return [...e].length === 1 ? `${e}${mark}` : `(${e})${mark}`;
    }
    case 'limLow':
      return `${arg('e')}_${paren(arg('lim'))}`;
    case 'limUpp':
      return `${arg('e')}^${paren(arg('lim'))}`;
    case 'm': {
      const rows = childElements(el).filter((c) => localName(c) === 'mr').map((mr) => childElements(mr).filter((c) => localName(c) === 'e').map((e) => tidy(linKids(e))).join(', '));
      return `[${rows.join('; ')}]`;
    }
    case 'eqArr':
      return childElements(el).filter((c) => localName(c) === 'e').map((e) => tidy(linKids(e)).replace(/&/g, '')).join('; ');
    default:
      return linKids(el);
  }
}
