/**
 * Sentence boundaries in prose, for the chunk builder. A boundary follows `.`, `!`, `?` or `…` (and any closing
 * quotes or brackets) when whitespace and then a capital letter, digit, opening quote/bracket or a non-Latin
 * letter follow; CJK full stops (。！？) end a sentence without a space. Not boundaries: abbreviations
 * ("e.g.", "i.e.", "Dr.", "Mr.", "Fig.", "No.", "vs."), dotted initialisms ("U.S.", "U.K.", "a.m."), single
 * initials ("J. Smith") and decimals ("3.14", never followed by whitespace). The rules follow the Unicode
 * sentence-boundary idea (UAX #29 "ATerm/STerm … Sp* ÷ Upper") with an abbreviation list, like Punkt/spaCy.
 */

/** Lower-cased, without the final dot. */
const ABBREVIATIONS = new Set([
  'e.g', 'i.e', 'etc', 'cf', 'vs', 'viz', 'al', 'approx', 'ca', 'resp', 'incl', 'excl', 'dept', 'est',
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'rev', 'gen', 'col', 'lt', 'sgt', 'capt', 'gov', 'sen', 'rep',
  'inc', 'ltd', 'co', 'corp', 'no', 'nos', 'nr', 'fig', 'figs', 'eq', 'eqs', 'sec', 'ch', 'vol', 'pp', 'p', 'ed', 'eds',
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun',
  'z.b', 'bzw', 'ggf', 'usw', 'vgl', 'ca', 'env', 'cf',
]);

const CLOSERS = new Set(['"', "'", '”', '’', ')', ']', '»', '」', '』']);

/**
 * Offsets in `text` where a new sentence starts (after the whitespace that follows a sentence end), within
 * [start, end). Linear in the length of the range.
 */
export function sentenceStarts(text: string, start = 0, end = text.length): number[] {
  const starts: number[] = [];
  for (let i = start; i < end; i++) {
    const c = text[i];
    if (c === '。' || c === '！' || c === '？') {
      let j = i + 1;
      while (j < end && CLOSERS.has(text[j]!)) j++;
      while (j < end && isSpace(text.charCodeAt(j))) j++;
      if (j < end) starts.push(j);
      i = j - 1;
      continue;
    }
    if (c !== '.' && c !== '!' && c !== '?' && c !== '…') continue;
    let j = i + 1;
    while (j < end && (text[j] === '.' || text[j] === '!' || text[j] === '?')) j++;
    while (j < end && CLOSERS.has(text[j]!)) j++;
    if (j >= end || !isSpace(text.charCodeAt(j))) {
      i = j - 1;
      continue;
    }
    let k = j;
    while (k < end && isSpace(text.charCodeAt(k))) k++;
    if (k >= end) break;
    if (c === '.' && isAbbreviation(text, start, i)) {
      i = k - 1;
      continue;
    }
    if (startsSentence(text[k]!)) starts.push(k);
    i = k - 1;
  }
  return starts;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 0xa0 || code === 0x3000;
}

function startsSentence(ch: string): boolean {
  return /[\p{Lu}\p{Lt}\p{N}"'“‘(\[¿¡«]|[^\p{Script=Latin}\p{P}\p{S}\s]/u.test(ch) && !/\p{Ll}/u.test(ch);
}

/** The word that ends at the dot at `dot` is an abbreviation or an initial. */
function isAbbreviation(text: string, floor: number, dot: number): boolean {
  let w = dot;
  while (w > floor && !/[\s(\["'“]/.test(text[w - 1]!)) w--;
  const word = text.slice(w, dot);
  if (!word) return false;
  const lower = word.toLowerCase();
  if (ABBREVIATIONS.has(lower)) return true;
  if (/^\p{L}$/u.test(word)) return true; // an initial: "J. Smith"
  return /^(\p{L}\.)+\p{L}$/u.test(word); // U.S, U.K, a.m, e.g written without the last dot
}
