/**
 * Characters of Office Math runs (ECMA-376 Part 1 §22.1.2.116, m:t) as LaTeX: Greek letters, operators,
 * relations, arrows and sets, and the characters LaTeX reserves. Anything else is kept as written (LaTeX
 * engines with Unicode input, MathJax and KaTeX read it).
 */
const GREEK: Record<string, string> = {
  α: 'alpha', β: 'beta', γ: 'gamma', δ: 'delta', ϵ: 'epsilon', ε: 'varepsilon', ζ: 'zeta', η: 'eta', θ: 'theta', ϑ: 'vartheta', ι: 'iota', κ: 'kappa',
  λ: 'lambda', μ: 'mu', ν: 'nu', ξ: 'xi', π: 'pi', ϖ: 'varpi', ρ: 'rho', ϱ: 'varrho', σ: 'sigma', ς: 'varsigma', τ: 'tau', υ: 'upsilon', φ: 'phi',
  ϕ: 'phi', χ: 'chi', ψ: 'psi', ω: 'omega', Γ: 'Gamma', Δ: 'Delta', Θ: 'Theta', Λ: 'Lambda', Ξ: 'Xi', Π: 'Pi', Σ: 'Sigma', Υ: 'Upsilon', Φ: 'Phi',
  Ψ: 'Psi', Ω: 'Omega',
};
const OPERATORS: Record<string, string> = {
  '±': '\\pm', '∓': '\\mp', '×': '\\times', '÷': '\\div', '·': '\\cdot', '⋅': '\\cdot', '∗': '\\ast', '∘': '\\circ', '≤': '\\leq', '≥': '\\geq',
  '≠': '\\neq', '≈': '\\approx', '≡': '\\equiv', '∼': '\\sim', '≃': '\\simeq', '≅': '\\cong', '∝': '\\propto', '≪': '\\ll', '≫': '\\gg', '∞': '\\infty',
  '∂': '\\partial', '∇': '\\nabla', '∈': '\\in', '∉': '\\notin', '∋': '\\ni', '⊂': '\\subset', '⊃': '\\supset', '⊆': '\\subseteq', '⊇': '\\supseteq',
  '∪': '\\cup', '∩': '\\cap', '∅': '\\emptyset', '∀': '\\forall', '∃': '\\exists', '¬': '\\neg', '∧': '\\wedge', '∨': '\\vee', '→': '\\rightarrow',
  '←': '\\leftarrow', '↔': '\\leftrightarrow', '⇒': '\\Rightarrow', '⇐': '\\Leftarrow', '⇔': '\\Leftrightarrow', '↦': '\\mapsto', '⋯': '\\cdots',
  '…': '\\ldots', '⋮': '\\vdots', '⋱': '\\ddots', '′': "'", '″': "''", 'ℝ': '\\mathbb{R}', 'ℕ': '\\mathbb{N}', 'ℤ': '\\mathbb{Z}', 'ℚ': '\\mathbb{Q}',
  'ℂ': '\\mathbb{C}', 'ℏ': '\\hbar', 'ℓ': '\\ell', '°': '^{\\circ}', '−': '-', '∑': '\\sum', '∏': '\\prod', '∫': '\\int', '√': '\\surd', '⊕': '\\oplus',
  '⊗': '\\otimes', '⊥': '\\perp', '∥': '\\parallel', '∠': '\\angle', '△': '\\triangle', '⟨': '\\langle', '⟩': '\\rangle', '∣': '\\mid', '∖': '\\setminus',
  '\\': '\\backslash', '{': '\\{', '}': '\\}', '#': '\\#', $: '\\$', '%': '\\%', '&': '\\&', _: '\\_', '^': '\\hat{}', '~': '\\sim',
};

/** n-ary operators (m:nary's m:chr, default ∫, §22.1.2.20) as LaTeX. */
export const NARY: Record<string, string> = {
  '∑': '\\sum', '∏': '\\prod', '∐': '\\coprod', '∫': '\\int', '∬': '\\iint', '∭': '\\iiint', '∮': '\\oint', '⋃': '\\bigcup', '⋂': '\\bigcap',
  '⋁': '\\bigvee', '⋀': '\\bigwedge', '⨁': '\\bigoplus', '⨂': '\\bigotimes',
};

/** Accents (m:acc's m:chr, default U+0302, §22.1.2.1) as LaTeX commands. */
export const ACCENTS: Record<string, string> = {
  '\u0302': 'hat', '\u0303': 'tilde', '\u0304': 'bar', '\u0305': 'overline', '\u0307': 'dot', '\u0308': 'ddot', '\u030c': 'check', '\u0301': 'acute',
  '\u0300': 'grave', '\u0306': 'breve', '\u20d7': 'vec', '\u20d1': 'vec',
};

/** Delimiters (m:d's begChr/endChr, §22.1.2.24) as LaTeX; '' (no delimiter) is '.'. */
export const DELIMITERS: Record<string, string> = {
  '': '.', '{': '\\{', '}': '\\}', '⟨': '\\langle', '⟩': '\\rangle', '〈': '\\langle', '〉': '\\rangle', '‖': '\\|', '⌊': '\\lfloor', '⌋': '\\rfloor',
  '⌈': '\\lceil', '⌉': '\\rceil', '|': '|', '(': '(', ')': ')', '[': '[', ']': ']',
};

/** Function names LaTeX has a command for (m:func's m:fName, §22.1.2.39). */
export const FUNCTIONS = new Set(['sin', 'cos', 'tan', 'cot', 'sec', 'csc', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh', 'coth', 'log', 'ln', 'lg', 'exp', 'lim', 'max', 'min', 'sup', 'inf', 'det', 'dim', 'ker', 'deg', 'gcd', 'arg', 'Pr', 'liminf', 'limsup']);

/** Invisible operators (function application, invisible times/separator/plus): no mark in either form. */
const INVISIBLE = /[\u2061-\u2064]/g;

/** A run's text as LaTeX: reserved characters escaped, symbols as commands (a space after a named one). */
export function latexChars(text: string, keepAmpersand = false): string {
  let out = '';
  for (const ch of text.replace(INVISIBLE, '')) {
    const greek = GREEK[ch];
    const op = ch === '&' && keepAmpersand ? '&' : OPERATORS[ch];
    if (greek) out += `\\${greek} `;
    else if (op) out += /[a-z]$/i.test(op) ? `${op} ` : op;
    else out += ch;
  }
  return out;
}

/** A run's text for the plain text: as written, without invisible operators. */
export function linearChars(text: string): string {
  return text.replace(INVISIBLE, '');
}
