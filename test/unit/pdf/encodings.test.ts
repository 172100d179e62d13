import * as assert from 'node:assert/strict';
import { Font } from '@pdf-lib/standard-fonts';
import { baseEncoding, decodePdfText, dingbatToUnicode, glyphToUnicode, standardFont } from '../../../src/core/extract/pdf/encodings';

function enc(name: string): ReadonlyArray<string | undefined> {
  const glyphs = baseEncoding(name);
  assert.ok(glyphs, `${name} is known`);
  assert.equal(glyphs.length, 256);
  return glyphs;
}

describe('pdf encodings', () => {
  describe('baseEncoding', () => {
    it('StandardEncoding has the Adobe quotes and ligatures', () => {
      const std = enc('StandardEncoding');
      assert.equal(std[0x27], 'quoteright');
      assert.equal(std[0x60], 'quoteleft');
      assert.equal(std[0xae], 'fi');
      assert.equal(std[0xaf], 'fl');
      assert.equal(std[0x41], 'A');
      assert.equal(std[0xfb], 'germandbls');
      assert.equal(std[0x80], undefined);
      assert.equal(std[0xa0], undefined);
    });

    it('StandardEncoding agrees with the encoded glyphs of the Helvetica AFM, in code order', () => {
      const named = enc('StandardEncoding').filter((n): n is string => n !== undefined);
      assert.equal(named.length, 149);
      const afmOrder = Font.load('Helvetica').CharMetrics.slice(0, named.length).map((m) => m.N);
      assert.deepEqual(named, afmOrder);
    });

    it('Symbol and ZapfDingbats encodings agree with the encoded glyphs of their AFMs, in code order', () => {
      for (const [name, font] of [['SymbolEncoding', 'Symbol'], ['ZapfDingbatsEncoding', 'ZapfDingbats']] as const) {
        const named = enc(name).filter((n): n is string => n !== undefined);
        assert.ok(named.length > 180, name);
        assert.deepEqual(named, Font.load(font).CharMetrics.slice(0, named.length).map((m) => m.N), name);
      }
    });

    it('WinAnsiEncoding has the Windows-1252 names and the Annex D bullets', () => {
      const win = enc('WinAnsiEncoding');
      assert.equal(win[0x80], 'Euro');
      assert.equal(win[0x93], 'quotedblleft');
      assert.equal(win[0x27], 'quotesingle');
      assert.equal(win[0x60], 'grave');
      assert.equal(win[0xe9], 'eacute');
      for (const code of [0x7f, 0x81, 0x8d, 0x8f, 0x90, 0x9d]) assert.equal(win[code], 'bullet', code.toString(16));
      assert.equal(win[0xa0], 'space');
      assert.equal(win[0xad], 'hyphen');
    });

    it('MacRomanEncoding names round-trip to the Mac OS Roman characters', () => {
      const mac = enc('MacRomanEncoding');
      assert.equal(mac[0x80], 'Adieresis');
      assert.equal(mac[0xde], 'fi');
      assert.equal(glyphToUnicode(mac[0xde] ?? ''), '\ufb01');
      const decoder = new TextDecoder('macintosh');
      // PDF's table deliberately differs from Mac OS Roman here (Annex D).
      const specNames: Record<number, string> = { 0xbd: 'Omega', 0xca: 'space', 0xdb: 'currency' };
      for (let code = 0x20; code <= 0xff; code++) {
        if (code === 0x7f) {
          assert.equal(mac[code], undefined);
          continue;
        }
        const name = mac[code];
        assert.ok(name, `code ${code.toString(16)} has a name`);
        const text = glyphToUnicode(name);
        const expected = decoder.decode(Uint8Array.of(code));
        if (specNames[code]) {
          assert.equal(name, specNames[code]);
          assert.ok(text, name);
        } else {
          assert.equal(text, expected, `code ${code.toString(16)} (${name})`);
        }
      }
      assert.equal(glyphToUnicode(mac[0xbd] ?? '')?.normalize('NFKC'), 'Ω'.normalize('NFKC'));
    });

    it('PDFDocEncoding, Symbol and ZapfDingbats encodings', () => {
      const doc = enc('PDFDocEncoding');
      assert.equal(doc[0x18], 'breve');
      assert.equal(doc[0x1f], 'tilde');
      assert.equal(doc[0x80], 'bullet');
      assert.equal(doc[0x9e], 'zcaron');
      assert.equal(doc[0x9f], undefined);
      assert.equal(doc[0xa0], 'Euro');
      assert.equal(doc[0xad], undefined);
      assert.equal(doc[0x41], 'A');
      const sym = enc('SymbolEncoding');
      assert.equal(sym[0x61], 'alpha');
      assert.equal(sym[0x44], 'Delta');
      const dingbats = enc('ZapfDingbatsEncoding');
      assert.equal(dingbats[0x21], 'a1');
      assert.equal(dingbats[0x20], 'space');
    });

    it('is cached, and undefined for unknown names and MacExpertEncoding', () => {
      assert.equal(baseEncoding('WinAnsiEncoding'), baseEncoding('WinAnsiEncoding'));
      assert.equal(baseEncoding('Identity-H'), undefined);
      assert.equal(baseEncoding('winansiencoding'), undefined);
      assert.equal(baseEncoding('MacExpertEncoding'), undefined);
    });
  });

  describe('decodePdfText', () => {
    it('decodes PDFDocEncoding', () => {
      assert.equal(decodePdfText(Uint8Array.of(0x48, 0x69)), 'Hi');
      assert.equal(decodePdfText(Uint8Array.of(0x80, 0x93, 0xa0, 0x8d, 0x8e, 0x18, 0xe9, 0x84)), '\u2022\ufb01\u20ac\u201c\u201d\u02d8é\u2014');
      assert.equal(decodePdfText(new Uint8Array(0)), '');
    });

    it('decodes UTF-16BE with a surrogate pair, dropping the BOM and an odd trailing byte', () => {
      assert.equal(decodePdfText(Uint8Array.of(0xfe, 0xff, 0x00, 0x41, 0xd8, 0x3d, 0xde, 0x00, 0x00, 0xe9)), 'A\u{1F600}é');
      assert.equal(decodePdfText(Uint8Array.of(0xfe, 0xff, 0x04, 0x1f, 0x00)), 'П');
      assert.equal(decodePdfText(Uint8Array.of(0xfe, 0xff)), '');
      assert.equal(decodePdfText(Uint8Array.of(0xfe, 0xff, 0xd8, 0x3d, 0x00, 0x41)), '\ufffdA');
    });

    it('decodes UTF-8 with a BOM and strips language escapes', () => {
      assert.equal(decodePdfText(Uint8Array.of(0xef, 0xbb, 0xbf, 0xc3, 0xa9, 0xe2, 0x82, 0xac)), 'é€');
      assert.equal(decodePdfText(Uint8Array.of(0xfe, 0xff, 0x00, 0x1b, 0x00, 0x65, 0x00, 0x6e, 0x00, 0x1b, 0x00, 0x48)), 'H');
    });
  });

  describe('glyphToUnicode', () => {
    it('maps table names', () => {
      const cases: Array<[string, string]> = [
        ['A', 'A'], ['eacute', 'é'], ['quoteright', '\u2019'], ['Euro', '€'], ['bullet', '\u2022'],
        ['alpha', 'α'], ['Omega', '\u2126'], ['Delta', '\u2206'], ['mu', 'µ'], ['Lslash', 'Ł'], ['zdotaccent', 'ż'],
        ['Uhungarumlaut', 'Ű'], ['Tcedilla', 'Ţ'], ['dotlessi', 'ı'], ['dotlessj', 'ȷ'], ['fi', '\ufb01'], ['ffl', '\ufb04'],
        ['fraction', '\u2044'], ['minus', '\u2212'], ['breve', '\u02d8'], ['caron', '\u02c7'], ['quotesingle', "'"],
        ['infinity', '∞'], ['arrowright', '→'], ['nbspace', '\u00a0'], ['sfthyphen', '\u00ad'], ['space', ' '],
        ['hyphen', '-'], ['afii10017', 'А'], ['afii10023', 'Ё'], ['afii10049', 'Я'], ['afii10065', 'а'],
        ['afii10071', 'ё'], ['afii10097', 'я'],
      ];
      for (const [name, text] of cases) assert.equal(glyphToUnicode(name), text, name);
    });

    it('applies the uni / u rules', () => {
      assert.equal(glyphToUnicode('uni0041'), 'A');
      assert.equal(glyphToUnicode('uni00660069'), 'fi');
      assert.equal(glyphToUnicode('uniD83D'), undefined);
      assert.equal(glyphToUnicode('uni004'), undefined);
      assert.equal(glyphToUnicode('u1F600'), '\u{1F600}');
      assert.equal(glyphToUnicode('u00E9'), 'é');
      assert.equal(glyphToUnicode('u110000'), undefined);
      assert.equal(glyphToUnicode('uD800'), undefined);
    });

    it('strips suffixes and joins ligature components', () => {
      assert.equal(glyphToUnicode('a.sc'), 'a');
      assert.equal(glyphToUnicode('one.oldstyle'), '1');
      assert.equal(glyphToUnicode('f_f_i'), 'ffi');
      assert.equal(glyphToUnicode('f_f_i.liga'), 'ffi');
      assert.equal(glyphToUnicode('uni0066_l'), 'fl');
      assert.equal(glyphToUnicode('f_g123'), undefined);
      assert.equal(glyphToUnicode('zerooldstyle'), '0');
      assert.equal(glyphToUnicode('Asmall'), 'a');
    });

    it('returns undefined for names without a known character', () => {
      for (const name of ['g123', 'glyph12', 'cid12', 'cid00012', 'Gxx', 'G3A', '.notdef', '.null', '', '_', 'index5']) {
        assert.equal(glyphToUnicode(name), undefined, name);
      }
    });
  });

  describe('standardFont', () => {
    it('resolves the standard names', () => {
      const helvetica = standardFont('Helvetica');
      assert.ok(helvetica);
      assert.equal(helvetica.name, 'Helvetica');
      assert.equal(helvetica.symbolic, false);
      assert.equal(helvetica.width('A'), 667);
      assert.equal(helvetica.width('space'), 278);
      assert.equal(helvetica.width('nosuchglyph'), undefined);
      assert.equal(helvetica.width('uni00E9'), helvetica.width('eacute'));
      assert.equal(helvetica.width('nbspace'), 278);
      assert.equal(helvetica.width('sfthyphen'), helvetica.width('hyphen'));
      assert.equal(helvetica.builtinEncoding[0x27], 'quoteright');
      assert.equal(standardFont('Helvetica'), helvetica);
      assert.equal(standardFont('Helvetica-Oblique')?.name, 'Helvetica-Oblique');
      assert.equal(standardFont('Helvetica,Italic')?.name, 'Helvetica-Oblique');
      assert.equal(standardFont('Times-Roman')?.name, 'Times-Roman');
      assert.equal(standardFont('Courier-BoldOblique')?.name, 'Courier-BoldOblique');
    });

    it('resolves Arial, Times New Roman and Courier New aliases', () => {
      const bold = standardFont('ABCDEF+Arial,Bold');
      assert.ok(bold);
      assert.equal(bold.name, 'Helvetica-Bold');
      assert.equal(bold.width('A'), 722);
      const cases: Array<[string, string]> = [
        ['Arial', 'Helvetica'], ['ArialMT', 'Helvetica'], ['Arial-BoldMT', 'Helvetica-Bold'],
        ['Arial-ItalicMT', 'Helvetica-Oblique'], ['Arial-BoldItalicMT', 'Helvetica-BoldOblique'],
        ['TimesNewRoman', 'Times-Roman'], ['TimesNewRomanPSMT', 'Times-Roman'], ['TimesNewRomanPS-BoldMT', 'Times-Bold'],
        ['TimesNewRomanPS-ItalicMT', 'Times-Italic'], ['TimesNewRomanPS-BoldItalicMT', 'Times-BoldItalic'],
        ['Times New Roman', 'Times-Roman'], ['TimesNewRoman,Bold', 'Times-Bold'], ['CourierNew', 'Courier'],
        ['CourierNewPSMT', 'Courier'], ['Courier New', 'Courier'], ['CourierNewPS-BoldMT', 'Courier-Bold'],
        ['XYZABC+ZapfDingbats', 'ZapfDingbats'],
      ];
      for (const [baseFont, name] of cases) assert.equal(standardFont(baseFont)?.name, name, baseFont);
      assert.equal(standardFont('TimesNewRomanPS-ItalicMT')?.width('a'), 500);
    });

    it('Courier is fixed pitch', () => {
      const courier = standardFont('Courier');
      assert.ok(courier);
      for (const glyph of ['A', 'i', 'W', 'space', 'period']) assert.equal(courier.width(glyph), 600, glyph);
      assert.equal(courier.width('uni0041'), 600);
    });

    it('Symbol is symbolic with its own built-in encoding', () => {
      const symbol = standardFont('Symbol');
      assert.ok(symbol);
      assert.equal(symbol.symbolic, true);
      assert.equal(symbol.builtinEncoding[0x61], 'alpha');
      assert.equal(symbol.width('alpha'), 631);
      assert.equal(standardFont('ZapfDingbats')?.builtinEncoding[0x21], 'a1');
    });

    it('returns undefined for other fonts', () => {
      for (const name of ['Wingdings', 'Calibri', 'ArialNarrow', 'Arial-Black', 'Symbola', 'HelveticaNeue', '']) {
        assert.equal(standardFont(name), undefined, name);
      }
    });
  });
  it('reads TeX math glyph names and their size variants', () => {
    assert.equal(glyphToUnicode('asteriskmath'), '\u2217');
    assert.equal(glyphToUnicode('circlecopyrt'), '©');
    assert.equal(glyphToUnicode('phi1'), 'φ');
    assert.equal(glyphToUnicode('parenleftbig'), '(');
    assert.equal(glyphToUnicode('summationdisplay'), '∑');
    assert.equal(glyphToUnicode('integraltext'), '∫');
    assert.equal(glyphToUnicode('unknownBig'), undefined);
  });
  it('reads ZapfDingbats names only for the ZapfDingbats font, never generic names such as a97', () => {
    assert.equal(dingbatToUnicode('a1'), '\u2701');
    assert.equal(glyphToUnicode('a1'), undefined);
    assert.equal(glyphToUnicode('a97'), undefined);
  });
});
