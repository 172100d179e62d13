/**
 * Prompt templates for question–answer generation (Jinja, rendered by templates.ts with the same caps) and the
 * parser of the reply. Variables: `chunk`, `document` (as for record templates) and `n`, the number of pairs.
 */
export interface GenerationPrompts {
  system: string;
  user: string;
}

export const DEFAULT_GENERATION_PROMPTS: GenerationPrompts = {
  system:
    'You write training data for a language model. From the passage you are given, write question–answer pairs that a reader of ' +
    '{% if document.title %}"{{ document.title }}"{% else %}the document{% endif %} could ask. Each answer must be supported by the passage alone, ' +
    'be complete and self-contained, and must not mention "the passage" or "the text". Reply with JSON only.',
  user:
    'Write {{ n }} question–answer pair{% if n != 1 %}s{% endif %} about this passage' +
    '{% if chunk.headingPath %} (section: {{ chunk.headingPath | join(" > ") }}){% endif %}{% if chunk.page %}, page {{ chunk.page }}{% endif %}.\n\n' +
    '<passage>\n{{ chunk.text }}\n</passage>\n\n' +
    'Reply with exactly this JSON shape: {"pairs": [{"question": "...", "answer": "..."}]}',
};

export interface QaPair {
  question: string;
  answer: string;
}

/**
 * The pairs of a reply: `{"pairs":[{"question","answer"}]}` (a bare array of pairs, and a ```json fence, are
 * accepted too). Returns a reason string when the reply is not that shape.
 */
export function parsePairsReply(content: string, finishReason: string | null): QaPair[] | string {
  if (finishReason === 'length') return 'the reply was cut off (finish_reason "length"): raise maxTokens or ask for fewer pairs';
  const text = content.trim().replace(/^```(?:json)?\s*\n?/i, '').replace(/\n?```\s*$/, '').trim();
  if (!text) return 'the reply was empty';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'the reply was not JSON';
  }
  const list = Array.isArray(value) ? value : (value as { pairs?: unknown } | null)?.pairs;
  if (!Array.isArray(list) || list.length === 0) return 'the reply had no "pairs" list';
  const pairs: QaPair[] = [];
  for (const p of list) {
    const q = (p as { question?: unknown } | null)?.question;
    const a = (p as { answer?: unknown } | null)?.answer;
    if (typeof q !== 'string' || typeof a !== 'string' || !q.trim() || !a.trim()) return 'a pair lacked a question or an answer';
    pairs.push({ question: q.trim(), answer: a.trim() });
  }
  return pairs;
}
