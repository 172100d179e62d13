import * as assert from 'node:assert/strict';
import { CMap, identityCMap, parseCMap } from '../../../src/core/extract/pdf/cmap';
import { readAll } from '../../support/cmapCodes';

const enc = (s: string): Uint8Array => Buffer.from(s, 'latin1');


const TO_UNICODE = `%!PS-Adobe-3.0 Resource-CMap
/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<00> <FF>
endcodespacerange
5 beginbfchar
<01> <0041>
<02> <0066 0066 0069>   % ligature ffi, whitespace inside the hex string
<03> <D835DC00>
<04> <42>
<05> /space
endbfchar
4 beginbfrange
<30> <39> <0030>
<61> <63> [<0061> <00620062> <D83DDE00>]
<E0> <E2> <00410300>
<70> <71> <0041FFFF>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end
`;

describe('pdf CMap', () => {
  describe('ToUnicode', () => {
    const cmap = parseCMap(enc(TO_UNICODE));

    it('reads the codespace and bfchar entries, including ligatures, surrogate pairs, 1-byte and name destinations', () => {
      assert.deepEqual(cmap.codespace, [{ bytes: 1, low: 0, high: 0xff }]);
      assert.equal(cmap.unicode(0x01), 'A');
      assert.equal(cmap.unicode(0x02), 'ffi');
      assert.equal(cmap.unicode(0x03), '\u{1D400}');
      assert.equal([...cmap.unicode(0x03)!].length, 1);
      assert.equal(cmap.unicode(0x04), 'B');
      assert.equal(cmap.unicode(0x05), ' ');
      assert.equal(cmap.unicode(0x06), undefined);
      assert.equal(cmap.useCMap, undefined);
      assert.equal(cmap.wmode, 0);
    });

    it('maps bfrange string destinations by incrementing the last code unit without carry', () => {
      assert.equal(cmap.unicode(0x30), '0');
      assert.equal(cmap.unicode(0x35), '5');
      assert.equal(cmap.unicode(0x39), '9');
      assert.equal(cmap.unicode(0x3a), undefined);
      assert.equal(cmap.unicode(0xe0), 'A\u0300');
      assert.equal(cmap.unicode(0xe2), 'A\u0302');
      assert.equal(cmap.unicode(0x70), 'A\uffff');
      assert.equal(cmap.unicode(0x71), 'A\u0000');
    });

    it('maps bfrange array destinations one per code', () => {
      assert.equal(cmap.unicode(0x61), 'a');
      assert.equal(cmap.unicode(0x62), 'bb');
      assert.equal(cmap.unicode(0x63), '\u{1F600}');
    });

    it('counts mapped codes and reads 1-byte codes', () => {
      assert.equal(cmap.unicodeCount, 5 + 10 + 3 + 3 + 2);
      assert.deepEqual(readAll(cmap, [0x01, 0xff, 0x30]), [[0x01, 1], [0xff, 1], [0x30, 1]]);
    });

    it('lets later definitions win over earlier ones', () => {
      const c = parseCMap(enc(`
        1 beginbfchar <0041> <0058> endbfchar
        1 beginbfrange <0040> <0045> <0061> endbfrange
        1 beginbfchar <0042> <005A> endbfchar
        1 beginbfrange <0044> <0044> <0031> endbfrange`));
      assert.equal(c.unicode(0x40), 'a');
      assert.equal(c.unicode(0x41), 'b'); // range defined after the bfchar
      assert.equal(c.unicode(0x42), 'Z'); // bfchar defined after the range
      assert.equal(c.unicode(0x43), 'd');
      assert.equal(c.unicode(0x44), '1'); // inner range painted over the outer one
      assert.equal(c.unicode(0x45), 'f');
      assert.equal(c.unicodeCount, 6);
    });

    it('skips inverted ranges and clamps huge ones to 65536 codes', () => {
      assert.equal(parseCMap(enc('1 beginbfrange <0050> <0040> <0041> endbfrange')).unicodeCount, 0);
      const c = parseCMap(enc('1 beginbfrange <000000> <FFFFFF> <0041> endbfrange'));
      assert.equal(c.unicode(0x45), String.fromCharCode(0x41 + 0x45));
      assert.equal(c.unicode(0xffff), String.fromCharCode((0x41 + 0xffff) & 0xffff));
      assert.equal(c.unicode(0x10000), undefined);
      assert.equal(c.unicodeCount, 65536);
    });

    it('accepts literal-string source codes and /uniXXXX names, ignoring unknown names', () => {
      const c = parseCMap(enc('3 beginbfchar (\\101) <0058> <10> /uni00410042 <11> /g123 endbfchar'));
      assert.equal(c.unicode(0x41), 'X');
      assert.equal(c.unicode(0x10), 'AB');
      assert.equal(c.unicode(0x11), undefined);
      assert.equal(c.unicodeCount, 2);
    });
  });

  describe('encoding CMaps', () => {
    it('reads mixed 1/2-byte codes following a Shift-JIS-like codespace', () => {
      const c = parseCMap(enc(`begincmap
        4 begincodespacerange
          <00> <80>
          <8140> <9FFC>
          <A0> <DF>
          <E040> <FCFC>
        endcodespacerange
        endcmap`));
      assert.equal(c.codespace.length, 4);
      assert.deepEqual(c.codespace[1], { bytes: 2, low: 0x8140, high: 0x9ffc });
      assert.deepEqual(readAll(c, [0x41, 0x81, 0x40, 0xa5, 0xe0, 0x50, 0xfd, 0xe0, 0x20, 0x80, 0x9f]), [
        [0x41, 1], // 1-byte range
        [0x8140, 2], // 2-byte range
        [0xa5, 1], // half-width katakana range
        [0xe050, 2],
        [0xfd, 1], // matches nothing, no first-byte match: shortest range length
        [0xe020, 2], // no full match, but the first byte matches <E040>-<FCFC>
        [0x80, 1],
        [0x9f, 1], // truncated 2-byte code at the end: only the bytes left
      ]);
      const out = { code: 7, length: 7 };
      c.readCode(Uint8Array.from([0x41]), 1, out);
      assert.deepEqual(out, { code: 0, length: 0 });
    });

    it('looks up cidrange / cidchar and captures usecmap and WMode', () => {
      const c = parseCMap(enc(`%!PS-Adobe-3.0 Resource-CMap
        /CIDInit /ProcSet findresource begin
        12 dict begin
        begincmap
        /Adobe-Japan1-H usecmap
        /CIDSystemInfo 3 dict dup begin /Registry (Adobe) def /Ordering (Japan1) def /Supplement 6 def end def
        /CMapName /Test-V def
        /WMode 1 def
        1 begincodespacerange <0000> <FFFF> endcodespacerange
        2 begincidrange
        <0000> <00FF> 100
        <8140> <817E> 633
        endcidrange
        1 begincidchar
        <0041> 9999
        endcidchar
        endcmap`));
      assert.equal(c.useCMap, 'Adobe-Japan1-H');
      assert.equal(c.wmode, 1);
      assert.equal(c.cid(0x00), 100);
      assert.equal(c.cid(0x10), 116);
      assert.equal(c.cid(0x41), 9999);
      assert.equal(c.cid(0x8140), 633);
      assert.equal(c.cid(0x8150), 649);
      assert.equal(c.cid(0x817f), undefined);
      assert.equal(c.cid(0x9000), undefined);
      assert.equal(c.unicode(0x41), undefined);
      assert.equal(c.unicodeCount, 0);
      assert.deepEqual(readAll(c, [0x81, 0x40, 0x00, 0x41]), [[0x8140, 2], [0x0041, 2]]);
    });

    it('stores a full <0000> <FFFF> cidrange without expanding it', () => {
      const c = parseCMap(enc('1 begincidrange <0000> <FFFF> 0 endcidrange'));
      assert.equal(c.cid(0), 0);
      assert.equal(c.cid(0xffff), 0xffff);
      assert.equal(c.cid(0x10000), undefined);
    });
  });

  describe('identityCMap', () => {
    it('is a 2-byte identity mapping, horizontal by default', () => {
      const h = identityCMap();
      assert.deepEqual(h.codespace, [{ bytes: 2, low: 0, high: 0xffff }]);
      assert.equal(h.wmode, 0);
      assert.equal(h.cid(0x1234), 0x1234);
      assert.equal(h.cid(0xffff), 0xffff);
      assert.equal(h.unicode(0x41), undefined);
      assert.deepEqual(readAll(h, [0x12, 0x34, 0x56]), [[0x1234, 2], [0x56, 1]]);
    });

    it('is vertical when asked', () => {
      const v = identityCMap(true);
      assert.equal(v.wmode, 1);
      assert.equal(v.cid(7), 7);
    });
  });

  describe('no codespace', () => {
    it('uses 2-byte codes when the mappings use 2-byte source codes', () => {
      const c = parseCMap(enc('1 beginbfchar <0041> <0058> endbfchar'));
      assert.equal(c.codespace.length, 0);
      assert.deepEqual(readAll(c, [0x00, 0x41, 0x00]), [[0x41, 2], [0x00, 1]]);
    });

    it('uses 1-byte codes for 1-byte mappings or an empty CMap', () => {
      assert.deepEqual(readAll(parseCMap(enc('1 beginbfrange <20> <7E> <0020> endbfrange')), [0x41, 0x42]), [[0x41, 1], [0x42, 1]]);
      const empty = parseCMap(new Uint8Array(0));
      assert.equal(empty.unicodeCount, 0);
      assert.equal(empty.useCMap, undefined);
      assert.deepEqual(readAll(empty, [0x00, 0x41]), [[0x00, 1], [0x41, 1]]);
    });
  });

  describe('malformed input', () => {
    it('never throws on truncated CMaps and keeps what was parsed before the cut', () => {
      const full = enc(TO_UNICODE);
      const fullCount = parseCMap(full).unicodeCount;
      const afterBfchar = TO_UNICODE.indexOf('endbfchar') + 'endbfchar'.length;
      for (let n = 0; n <= full.length; n++) {
        const c = parseCMap(full.subarray(0, n));
        assert.ok(c.unicodeCount <= fullCount, `prefix ${n}`);
        if (n >= afterBfchar) assert.equal(c.unicode(0x02), 'ffi', `prefix ${n}`);
      }
    });

    it('recovers from garbage and unbalanced brackets', () => {
      const c = parseCMap(enc(`]]] >> } { 1.2.3 ) [[[ << begincmap
        2 beginbfchar <01> <0041> [ <02> ] <03> <0043> endbfchar
        1 beginbfrange <10> <12> [<0061> endbfrange
        1 beginbfchar <04> <0044> endbfchar
        (unterminated <string`));
      assert.equal(c.unicode(0x01), 'A');
      assert.equal(c.unicode(0x02), undefined);
      assert.equal(c.unicode(0x03), 'C');
      assert.equal(c.unicode(0x10), 'a'); // an array left open ends at the next keyword, its entries kept
      assert.equal(c.unicode(0x11), undefined);
      assert.equal(c.unicode(0x04), 'D');
    });

    it('survives unterminated hex strings, nesting and pseudo-random bytes without hanging', () => {
      for (const s of ['<0041', '(((', '<<<<', '1 beginbfchar <01', '1 beginbfrange <01> <02> [', '/WMode', 'usecmap', '\\']) {
        assert.ok(parseCMap(enc(s)) instanceof CMap, s);
      }
      let seed = 12345;
      const data = new Uint8Array(200_000);
      for (let i = 0; i < data.length; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        data[i] = seed >>> 24;
      }
      const c = parseCMap(data);
      assert.ok(c instanceof CMap);
      assert.deepEqual(readAll(c, [1, 2, 3]).reduce((n, [, len]) => n + len, 0), 3);
    });
  });

  describe('large CMaps', () => {
    it('parses a 10,000-entry CMap with correct lookups', () => {
      const hex = (n: number) => n.toString(16).padStart(4, '0');
      const lines: string[] = ['1 begincodespacerange <0000> <FFFF> endcodespacerange'];
      for (let block = 0; block < 100; block++) {
        lines.push('100 beginbfchar');
        for (let i = 0; i < 100; i++) {
          const code = block * 100 + i;
          lines.push(`<${hex(code)}> <${hex(0x4e00 + code)}>`);
        }
        lines.push('endbfchar');
      }
      const data = enc(lines.join('\n'));
      const c = parseCMap(data);
      assert.equal(c.unicodeCount, 10_000);
      assert.equal(c.unicode(0), '\u4e00');
      assert.equal(c.unicode(9999), String.fromCharCode(0x4e00 + 9999));
      assert.equal(c.unicode(10_000), undefined);
    });
  });
});
