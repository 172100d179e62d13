import type { TrainingRecord } from './types';

/**
 * PII redaction for records (`records.redactPii`, off by default): e-mail addresses, phone numbers, IBANs and
 * payment card numbers (each only with a valid check), and API keys / tokens recognised by their published
 * prefixes, each replaced by a placeholder (`[EMAIL]`, `[PHONE]`, `[IBAN]`, `[CARD]`, `[SECRET]`).
 *
 * Every pattern runs in linear time: e-mail addresses are found by scanning from each "@" over a bounded
 * stretch (RFC 5321 §4.5.3.1: local part ≤ 64, domain ≤ 255 octets), not by a regex that could rescan a long
 * run of word characters from every start; the regexes have no nested unbounded quantifiers, their repeats are
 * bounded, and a pattern whose run is unbounded starts with a look-behind that fails at once inside a run, so
 * no run is rescanned from each of its positions. A test feeds 200 KB hostile runs of each shape and bounds the time.
 */

export type PiiKind = 'email' | 'phone' | 'iban' | 'card' | 'secret';
export const PII_KINDS: readonly PiiKind[] = ['secret', 'email', 'iban', 'card', 'phone'];
export const PII_PLACEHOLDER: Record<PiiKind, string> = { email: '[EMAIL]', phone: '[PHONE]', iban: '[IBAN]', card: '[CARD]', secret: '[SECRET]' };

export type PiiCounts = Record<PiiKind, number>;
export const emptyPiiCounts = (): PiiCounts => ({ email: 0, phone: 0, iban: 0, card: 0, secret: 0 });

/**
 * API keys and tokens by prefix. Sources: Hugging Face user access tokens `hf_` (huggingface.co/docs/hub/
 * security-tokens); OpenAI `sk-` / `sk-proj-` and Anthropic `sk-ant-` keys (their API reference pages);
 * GitHub `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` + 36 characters and fine-grained `github_pat_` (GitHub blog,
 * "Behind GitHub's new authentication token formats", 2021); Slack `xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-`
 * (api.slack.com/authentication/token-types); AWS access key ids `AKIA` / `ASIA` + 16 (AWS IAM user guide,
 * "Unique identifier prefixes"); Google API keys `AIza` + 35 (Google Cloud "API keys" docs); Stripe secret and
 * restricted keys `sk_live_` / `rk_live_` (docs.stripe.com/keys).
 */
const SECRET = new RegExp(
  [
    'hf_[A-Za-z0-9]{30,}',
    'sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}',
    'gh[pousr]_[A-Za-z0-9]{36,}',
    'github_pat_[A-Za-z0-9_]{22,}',
    'xox[bpars]-[A-Za-z0-9-]{10,}',
    '(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])',
    'AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])',
    '[sr]k_live_[0-9A-Za-z]{20,}',
  ]
    .map((p) => `(?<![A-Za-z0-9_-])${p}`)
    .join('|'),
  'g',
);

/** IBAN: country, check digits, then 11–30 letters/digits in groups of four (spaces optional). */
const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])/g;
/** Card numbers: 13–19 digits, single spaces or hyphens allowed between digits. */
const CARD = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])/g;
/**
 * Phone numbers: an optional +country code, an optional (area code), then 2–5 groups of 2–4 digits joined by a
 * space, dot or hyphen; kept only with 9–15 digits (E.164 allows at most 15) and a "+", parentheses or at least
 * two separators — so dates, decimals, version numbers and plain ids are not phones.
 */
const PHONE = /(?<![\w+.-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){1,4}(?![\w]|[.-]\d)/g;

/** ISO 13616 IBAN check: the number formed by moving the first four characters to the end, letters as 10–35, mod 97 = 1. */
export function ibanValid(candidate: string): boolean {
  const s = candidate.replace(/ /g, '');
  if (s.length < 15 || s.length > 34) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const c = ch.charCodeAt(0);
    const v = c >= 65 ? c - 55 : c - 48;
    rest = v >= 10 ? (rest * 100 + v) % 97 : (rest * 10 + v) % 97;
  }
  return rest === 1;
}

/** The Luhn check (ISO/IEC 7812-1, Annex B) of a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes of the card schemes (ISO/IEC 7812 IINs): Visa 4, Mastercard 51–55 and 2221–2720, Amex 34/37, Discover/UnionPay 6, JCB 35, Diners 30/36/38. */
function cardIssuer(digits: string): boolean {
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  return digits[0] === '4' || digits[0] === '6' || (two >= 51 && two <= 55) || (four >= 2221 && four <= 2720) || [30, 34, 35, 36, 37, 38].includes(two);
}

interface Hit {
  start: number;
  end: number;
  kind: PiiKind;
}

const LOCAL = /[A-Za-z0-9._%+-]/;
const DOMAIN = /[A-Za-z0-9.-]/;

/** E-mail addresses: from each "@", at most 64 local-part characters back and 255 domain characters on. */
function emails(text: string, out: Hit[]): void {
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let s = at;
    while (s > 0 && at - s < 64 && LOCAL.test(text[s - 1]!)) s--;
    while (s < at && text[s] === '.') s++;
    let e = at + 1;
    while (e < text.length && e - at <= 255 && DOMAIN.test(text[e]!)) e++;
    while (e > at + 1 && (text[e - 1] === '.' || text[e - 1] === '-')) e--;
    if (s === at || !domainValid(text.slice(at + 1, e))) continue;
    out.push({ start: s, end: e, kind: 'email' });
  }
}

/** A host name of ≥ 2 labels (RFC 1035 §2.3.1: letters, digits, inner hyphens, ≤ 63 each) ending in a letter TLD. */
function domainValid(domain: string): boolean {
  const labels = domain.split('.');
  if (labels.length < 2 || domain.length > 255) return false;
  if (!/^[A-Za-z]{2,63}$/.test(labels[labels.length - 1]!)) return false;
  return labels.every((l) => l.length > 0 && l.length <= 63 && /^[A-Za-z0-9-]+$/.test(l) && l[0] !== '-' && l[l.length - 1] !== '-');
}

function matches(text: string, re: RegExp, kind: PiiKind, keep: (m: string) => boolean, out: Hit[]): void {
  for (const m of text.matchAll(re)) if (keep(m[0])) out.push({ start: m.index, end: m.index + m[0].length, kind });
}

const isIpv4 = (m: string) => /^\d{1,3}(?:\.\d{1,3}){3}$/.test(m) && m.split('.').every((p) => Number(p) <= 255);

/** The PII found in `text` (only the kinds asked for), sorted and without overlaps (earlier kinds in PII_KINDS win). */
export function findPii(text: string, kinds: readonly PiiKind[] = PII_KINDS): Hit[] {
  const want = new Set(kinds);
  const found: Hit[] = [];
  if (want.has('secret')) matches(text, SECRET, 'secret', () => true, found);
  if (want.has('email') && text.includes('@')) emails(text, found);
  if (want.has('iban')) matches(text, IBAN, 'iban', ibanValid, found);
  if (want.has('card')) matches(text, CARD, 'card', (m) => {
    const digits = m.replace(/[ -]/g, '');
    return cardIssuer(digits) && luhnValid(digits);
  }, found);
  if (want.has('phone')) matches(text, PHONE, 'phone', (m) => {
    const digits = m.replace(/\D/g, '').length;
    const seps = (m.match(/[ .-]/g) ?? []).length;
    return digits >= 9 && digits <= 15 && (m.startsWith('+') || m.includes('(') || seps >= 2) && !isIpv4(m);
  }, found);
  const rank = (k: PiiKind) => PII_KINDS.indexOf(k);
  found.sort((a, b) => a.start - b.start || rank(a.kind) - rank(b.kind));
  const out: Hit[] = [];
  for (const h of found) {
    const last = out[out.length - 1];
    if (last && h.start < last.end) {
      if (rank(h.kind) < rank(last.kind)) out[out.length - 1] = h; // an overlapping earlier kind wins
      continue;
    }
    out.push(h);
  }
  return out;
}

/** `text` with the PII of the given kinds replaced by placeholders, and how many of each were replaced. */
export function redactPii(text: string, kinds: readonly PiiKind[] = PII_KINDS): { text: string; counts: PiiCounts; changed: boolean } {
  const hits = findPii(text, kinds);
  const counts = emptyPiiCounts();
  if (!hits.length) return { text, counts, changed: false };
  let out = '';
  let at = 0;
  for (const h of hits) {
    out += text.slice(at, h.start) + PII_PLACEHOLDER[h.kind];
    at = h.end;
    counts[h.kind]++;
  }
  return { text: out + text.slice(at), counts, changed: true };
}

/**
 * A record with PII redacted in every text it trains on (completion text; instruction, input, output; every
 * message), flagged 'pii-redacted' with `tokens` cleared (to be measured again) when anything changed. The
 * lineage is untouched: its span still indexes the original document text.
 */
export function redactRecord<R extends TrainingRecord>(r: R, kinds: readonly PiiKind[]): { record: R; counts: PiiCounts; changed: boolean } {
  const counts = emptyPiiCounts();
  let changed = false;
  const clean = (t: string) => {
    const x = redactPii(t, kinds);
    if (!x.changed) return t;
    changed = true;
    for (const k of PII_KINDS) counts[k] += x.counts[k];
    return x.text;
  };
  let out: TrainingRecord;
  if (r.kind === 'completion') out = { ...r, text: clean(r.text) };
  else if (r.kind === 'instruction') out = { ...r, instruction: clean(r.instruction), input: clean(r.input), output: clean(r.output) };
  else out = { ...r, messages: r.messages.map((m) => ({ ...m, content: clean(m.content) })) };
  if (!changed) return { record: r, counts, changed };
  const { tokens: _stale, ...rest } = out;
  return { record: { ...rest, flags: [...new Set([...(r.flags ?? []), 'pii-redacted'])] } as R, counts, changed };
}
