import * as assert from 'node:assert/strict';
import { extract } from '../../../src/core';
import { renderMath } from '../../../src/core/extract/backends/omml';
import { parseXml } from '../../../src/core/extract/xml';
import { NS, pptxParts, run, slide } from '../../support/officeParts';
import { useTempDir } from '../../support/tmp';
import { buildZip } from '../../support/zipBuilder';

const r = (t: string) => `<m:r><m:t>${t}</m:t></m:r>`;
const e = (x: string) => `<m:e>${x}</m:e>`;
const sup = (base: string, s: string) => `<m:sSup>${e(base)}<m:sup>${s}</m:sup></m:sSup>`;
const math = (inner: string, para = false) => {
  const xml = para ? `<m:oMathPara ${NS.m}><m:oMath>${inner}</m:oMath></m:oMathPara>` : `<m:oMath ${NS.m}>${inner}</m:oMath>`;
  return renderMath(parseXml(xml).documentElement!);
};
const both = (inner: string) => {
  const m = math(inner);
  return [m.markdown, m.text];
};

describe('OMML equations (omml.ts)', () => {
  it('runs, Greek letters and operators', () => {
    assert.deepEqual(both(r('α≤β×γ≠∞')), ['$\\alpha \\leq \\beta \\times \\gamma \\neq \\infty$', 'α≤β×γ≠∞']);
    assert.deepEqual(both(r('50% of {x}')), ['$50\\% of \\{x\\}$', '50% of {x}']);
    assert.deepEqual(both('<m:r><m:rPr><m:sty m:val="p"/></m:rPr><m:t>max</m:t></m:r>'), ['$\\mathrm{max}$', 'max']);
  });

  it('fractions, scripts and radicals', () => {
    assert.deepEqual(both(`<m:f><m:num>${r('a+b')}</m:num><m:den>${r('2')}</m:den></m:f>`), ['$\\frac{a+b}{2}$', '(a+b)/2']);
    assert.deepEqual(both(`<m:f><m:fPr><m:type m:val="lin"/></m:fPr><m:num>${r('x')}</m:num><m:den>${r('y')}</m:den></m:f>`), ['$x/y$', 'x/y']);
    assert.deepEqual(both(sup(r('a'), r('2')) + r('+') + sup(r('b'), r('2')) + r('=') + sup(r('c'), r('2'))), ['$a^2+b^2=c^2$', 'a^2+b^2=c^2']);
    assert.deepEqual(both(`<m:sSub>${e(r('x'))}<m:sub>${r('i')}</m:sub></m:sSub>`), ['$x_i$', 'x_i']);
    assert.deepEqual(both(`<m:sSubSup>${e(r('x'))}<m:sub>${r('ij')}</m:sub><m:sup>${r('n+1')}</m:sup></m:sSubSup>`), ['$x_{ij}^{n+1}$', 'x_ij^(n+1)']);
    assert.deepEqual(both(`<m:rad><m:radPr><m:degHide m:val="1"/></m:radPr><m:deg/>${e(r('x+1'))}</m:rad>`), ['$\\sqrt{x+1}$', '√(x+1)']);
    assert.deepEqual(both(`<m:rad><m:deg>${r('3')}</m:deg>${e(r('x'))}</m:rad>`), ['$\\sqrt[3]{x}$', '∛x']);
    assert.deepEqual(both(`<m:sPre><m:sub>${r('1')}</m:sub><m:sup>${r('2')}</m:sup>${e(r('X'))}</m:sPre>`), ['${}_1^2X$', '_1^2X']);
  });

  it('n-ary operators, delimiters and functions', () => {
    const sum = `<m:nary><m:naryPr><m:chr m:val="∑"/></m:naryPr><m:sub>${r('i=1')}</m:sub><m:sup>${r('n')}</m:sup>${e(r('i'))}</m:nary>`;
    assert.deepEqual(both(sum), ['$\\sum_{i=1}^n i$', '∑_(i=1)^n i']);
    const integral = `<m:nary><m:naryPr><m:subHide m:val="1"/><m:supHide m:val="1"/></m:naryPr><m:sub/><m:sup/>${e(r('f dx'))}</m:nary>`;
    assert.deepEqual(both(integral), ['$\\int f dx$', '∫ f dx']);
    assert.deepEqual(both(`<m:d>${e(r('a'))}${e(r('b'))}</m:d>`), ['$\\left(a|b\\right)$', '(a|b)']);
    assert.deepEqual(both(`<m:d><m:dPr><m:begChr m:val="{"/><m:endChr m:val=""/></m:dPr>${e(r('x'))}</m:d>`), ['$\\left\\{x\\right.$', '{x']);
    assert.deepEqual(both(`<m:func><m:fName>${r('sin')}</m:fName>${e(r('x'))}</m:func>`), ['$\\sin{x}$', 'sin x']);
    assert.deepEqual(both(`<m:func><m:fName>${r('sech')}</m:fName>${e(r('x'))}</m:func>`), ['$\\operatorname{sech}{x}$', 'sech x']);
    const lim = `<m:func><m:fName><m:limLow>${e(r('lim'))}<m:lim>${r('n→∞')}</m:lim></m:limLow></m:fName>${e(r('a'))}</m:func>`;
    assert.deepEqual(both(lim), ['$\\lim_{n\\rightarrow \\infty}{a}$', 'lim_(n→∞) a']);
  });

  it('accents, bars, group characters, limits and boxes', () => {
    assert.deepEqual(both(`<m:acc><m:accPr><m:chr m:val="⃗"/></m:accPr>${e(r('v'))}</m:acc>`), ['$\\vec{v}$', 'v⃗']);
    assert.deepEqual(both(`<m:acc>${e(r('x'))}</m:acc>`), ['$\\hat{x}$', 'x̂']);
    assert.deepEqual(both(`<m:bar><m:barPr><m:pos m:val="top"/></m:barPr>${e(r('AB'))}</m:bar>`), ['$\\overline{AB}$', '(AB)̅']);
    assert.deepEqual(both(`<m:bar>${e(r('x'))}</m:bar>`), ['$\\underline{x}$', 'x̲']);
    assert.deepEqual(both(`<m:groupChr>${e(r('a+b'))}</m:groupChr>`), ['$\\underbrace{a+b}$', 'a+b']);
    assert.deepEqual(both(`<m:limUpp>${e(r('x'))}<m:lim>${r('def')}</m:lim></m:limUpp>`), ['$\\overset{def}{x}$', 'x^def']);
    assert.deepEqual(both(`<m:limLow>${e(r('y'))}<m:lim>${r('k')}</m:lim></m:limLow>`), ['$\\underset{k}{y}$', 'y_k']);
    assert.deepEqual(both(`<m:borderBox>${e(r('E=mc'))}</m:borderBox><m:box>${e(r('!'))}</m:box>`), ['$\\boxed{E=mc}!$', 'E=mc!']);
  });

  it('matrices and equation arrays; oMathPara is display math', () => {
    const m = `<m:m><m:mr>${e(r('1'))}${e(r('0'))}</m:mr><m:mr>${e(r('0'))}${e(r('1'))}</m:mr></m:m>`;
    assert.deepEqual(both(m), ['$\\begin{matrix}1 & 0 \\\\ 0 & 1\\end{matrix}$', '[1, 0; 0, 1]']);
    const arr = `<m:eqArr>${e(r('x&=1'))}${e(r('y&=2'))}</m:eqArr>`;
    assert.deepEqual(both(arr), ['$\\begin{aligned}x&=1 \\\\ y&=2\\end{aligned}$', 'x=1; y=2']);
    const display = math(r('E=m') + sup(r('c'), r('2')), true);
    assert.deepEqual([display.markdown, display.text, display.display], ['$$E=mc^2$$', 'E=mc^2', true]);
  });

  it('renders structures nested past 100 levels as their flat text, never exhausting the stack', () => {
    const n = 5000;
    const deep = `${'<m:f><m:num>'.repeat(n)}${r('x')}${'</m:num><m:den/></m:f>'.repeat(n)}`;
    const m = math(deep);
    assert.match(m.markdown, /^\$\\frac\{\\frac\{.*x.*\}\$$/);
    assert.match(m.text, /x/);
  });

  it('keeps the text of elements it does not know', () => {
    assert.deepEqual(both(`<m:future><m:e>${r('z')}</m:e></m:future>`), ['$z$', 'z']);
  });
});

describe('extract: equations in PPTX (a14:m in mc:AlternateContent)', () => {
  const tmp = useTempDir();
  it('keeps the equation in the sentence: LaTeX in the Markdown, linear in the text', async () => {
    const eq = `<a14:m><m:oMath ${NS.m}>${sup(r('a'), r('2'))}${r('+')}${sup(r('b'), r('2'))}${r('=')}${sup(r('c'), r('2'))}</m:oMath></a14:m>`;
    const choice = `<p:sp><p:txBody><a:bodyPr/><a:p>${run('The formula ')}${eq}${run(' is the Pythagorean theorem.')}</a:p></p:txBody></p:sp>`;
    const shape = `<mc:AlternateContent ${NS.mc}><mc:Choice ${NS.a14} Requires="a14">${choice}</mc:Choice><mc:Fallback><p:sp><p:txBody><a:p>${run('[picture]')}</a:p></p:txBody></p:sp></mc:Fallback></mc:AlternateContent>`;
    const doc = await extract(await tmp.write('eq.pptx', buildZip(pptxParts([slide(shape)]))));
    assert.equal(doc.text, 'The formula a^2+b^2=c^2 is the Pythagorean theorem.');
    assert.match(doc.markdown, /The formula \$a\^2\+b\^2=c\^2\$ is the Pythagorean theorem\./);
  });

  it('also when the equation sits in an mc:AlternateContent inside the paragraph, once', async () => {
    const eq = `<a14:m><m:oMathPara ${NS.m}><m:oMath>${r('x=1')}</m:oMath></m:oMathPara></a14:m>`;
    const para = `${run('Set ')}<mc:AlternateContent ${NS.mc}><mc:Choice ${NS.a14} Requires="a14">${eq}</mc:Choice><mc:Fallback>${run('x=1 (picture)')}</mc:Fallback></mc:AlternateContent>`;
    const doc = await extract(await tmp.write('inline-alt.pptx', buildZip(pptxParts([slide(`<p:sp><p:txBody><a:p>${para}</a:p></p:txBody></p:sp>`)]))));
    assert.equal(doc.text, 'Set x=1');
    assert.match(doc.markdown, /Set \$\$x=1\$\$/);
  });
});
