// Strict template names: which undefined names are mistakes (`chunk.txt`) and which are expected (optional fields,
// guarded names). Used by templates.ts's BoundedInterpreter.

/**
 * Names a template may leave undefined for some chunks without being wrong: the chunk's and document's optional
 * fields (templateVariables). Any other name that evaluates to undefined is a mistake (`chunk.txt`).
 */
export const OPTIONAL_TEMPLATE_KEYS: ReadonlySet<string> = new Set(['title', 'author', 'subject', 'keywords', 'language', 'created', 'modified', 'pages', 'slides', 'page', 'slide']);

/** What a strict render accepts as undefined (see renderTemplate's `strict`). */
export interface StrictNames {
  /** Attribute names that may be missing (e.g. OPTIONAL_TEMPLATE_KEYS). */
  optional: ReadonlySet<string>;
  /** The variables a template can use, for the error's remedy ("chunk.text, chunk.heading, …"). */
  known: string;
}

/** The records templates' names (instruction/chat builders, generation prompts): strict about typos. */
export const RECORD_TEMPLATE_NAMES: StrictNames = {
  optional: OPTIONAL_TEMPLATE_KEYS,
  known: 'chunk.text, chunk.heading, chunk.headingPath, chunk.index, chunk.page, chunk.slide, document.name, document.path, document.format, document.title, document.author, document.subject, document.keywords, document.language, document.created, document.modified, document.pages, document.slides',
};

/** A strict render met an undefined name (the message is the name, e.g. `chunk.txt`). */
export class UndefinedName extends Error {}

/** Tests and filters under which an undefined value is expected, not a mistake. */
export const GUARD_TESTS = new Set(['defined', 'undefined', 'none']);
export const GUARD_FILTERS = new Set(['default', 'd']);

export interface AstNode {
  type: string;
  value?: unknown;
  computed?: boolean;
  object?: AstNode;
  property?: AstNode;
  test?: AstNode;
  filter?: AstNode & { callee?: AstNode };
}

/** `chunk.txt` for a member expression, the name for an identifier; '' for anything else. */
export function dottedName(node: AstNode | undefined): string {
  if (!node) return '';
  if (node.type === 'Identifier') return String(node.value);
  if (node.type === 'MemberExpression' && !node.computed) {
    const base = dottedName(node.object);
    return base ? `${base}.${String(node.property?.value)}` : '';
  }
  return '';
}
