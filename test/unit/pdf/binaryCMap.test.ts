import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CidToUnicode, loadCidToUnicode, loadPredefinedCMap, parseBinaryCMap } from '../../../src/core/extract/pdf/binaryCMap';
import { CMap } from '../../../src/core/extract/pdf/cmap';
import { readAll } from '../../support/cmapCodes';

const DIR = path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'cmaps');

function load(name: string): CMap {
  const cmap = loadPredefinedCMap(name, DIR);
  assert.ok(cmap, `${name} should load`);
  return cmap;
}


describe('binaryCMap', () => {
  it('H: JIS X 0208 2-byte codespace, 0x2422 (あ) → CID 843', () => {
    const h = load('H');
    assert.deepEqual(h.codespace, [{ bytes: 2, low: 0x2121, high: 0x7e7e }]);
    assert.equal(h.wmode, 0);
    assert.equal(h.useCMap, undefined);
    assert.equal(h.cid(0x2421), 842); // ぁ
    assert.equal(h.cid(0x2422), 843); // あ
    assert.equal(h.cid(0x2121), 633); // ideographic space
    assert.equal(h.cid(0x2122), 634); // 、
  });

  it('Adobe-Japan1-UCS2: CID → Unicode', () => {
    const u = load('Adobe-Japan1-UCS2');
    assert.equal(u.unicode(842), '\u3041');
    assert.equal(u.unicode(843), '\u3042');
    assert.equal(u.unicode(34), 'A');
    assert.equal(u.unicode(8321), '有限会社'); // 8-byte destination; later deltas exceed 2^53
    assert.equal(u.unicode(20000), '驁'); // past those records
    assert.equal(load('UniJIS-UTF16-H').cid(0x9a41), 20000);
    assert.equal(u.wmode, 0);
    assert.ok(u.unicodeCount > 20000);
  });

  it('V: uses H, is vertical, inherits and overrides mappings', () => {
    const raw = parseBinaryCMap(readFileSync(path.join(DIR, 'V.bcmap')));
    assert.equal(raw.useCMap, 'H');
    assert.equal(raw.wmode, 1);
    assert.equal(raw.cid(0x2422), undefined); // not in V's own file
    const v = load('V');
    assert.equal(v.wmode, 1);
    assert.equal(v.useCMap, undefined);
    assert.deepEqual(v.codespace, [{ bytes: 2, low: 0x2121, high: 0x7e7e }]);
    assert.equal(v.cid(0x2422), 843); // inherited from H
    assert.equal(v.cid(0x2122), 7887); // vertical 、 overrides H's 634
    assert.equal(load('H').cid(0x2122), 634); // the cached parent is untouched
  });

  it('90ms-RKSJ-H: mixed 1-/2-byte codespace', () => {
    const r = load('90ms-RKSJ-H');
    assert.deepEqual(readAll(r, [0x41, 0x82, 0xa0]), [[0x41, 1], [0x82a0, 2]]);
    assert.equal(r.cid(0x82a0), 843);
    assert.equal(r.cid(0x41), 264);
    assert.ok(r.codespace.some((c) => c.bytes === 1) && r.codespace.some((c) => c.bytes === 2));
  });

  it('UniJIS-UCS2-H: Unicode → CID', () => {
    const u = load('UniJIS-UCS2-H');
    assert.equal(u.cid(0x3042), 843);
    assert.equal(u.cid(0x41), 34);
  });

  it('Adobe-GB1: GBK-EUC-H and UniGB-UCS2-H agree with Adobe-GB1-UCS2 on 中', () => {
    assert.equal(load('GBK-EUC-H').cid(0xd6d0), 4559);
    assert.equal(load('UniGB-UCS2-H').cid(0x4e2d), 4559);
    assert.equal(load('Adobe-GB1-UCS2').unicode(4559), '中');
  });

  it('Adobe-CNS1 and Adobe-Korea1 round-trip through their UCS2 maps', () => {
    for (const [enc, ucs, text] of [['UniCNS-UCS2-H', 'Adobe-CNS1-UCS2', '中文字'], ['UniKS-UCS2-H', 'Adobe-Korea1-UCS2', '한국어']]) {
      const e = load(enc);
      const u = load(ucs);
      for (const ch of text) assert.equal(u.unicode(e.cid(ch.charCodeAt(0)) ?? -1), ch, `${enc} ${ch}`);
    }
  });

  it('returns undefined for unknown or unsafe names', () => {
    assert.equal(loadPredefinedCMap('No-Such-CMap', DIR), undefined);
    assert.equal(loadPredefinedCMap('../cmaps/H', DIR), undefined);
    assert.equal(loadPredefinedCMap('..', DIR), undefined);
    assert.equal(loadPredefinedCMap('H.bcmap', DIR), undefined);
    assert.equal(loadPredefinedCMap('', DIR), undefined);
  });

  it('the compact CID → Unicode tables give what the CMaps give, for every CID of the four collections', () => {
    for (const ordering of ['Japan1', 'GB1', 'CNS1', 'Korea1']) {
      const table = loadCidToUnicode(ordering, DIR);
      assert.ok(table, ordering);
      const cmap = load(`Adobe-${ordering}-UCS2`);
      let mapped = 0;
      for (let cid = 0; cid < 0x10000; cid++) {
        const expected = cmap.unicode(cid);
        assert.equal(table.unicode(cid), expected, `${ordering} CID ${cid}`);
        if (expected !== undefined) mapped++;
      }
      assert.ok(mapped > 15000, `${ordering}: ${mapped} CIDs mapped`);
      assert.equal(loadCidToUnicode(ordering, DIR), table, 'cached');
    }
    assert.equal(loadCidToUnicode('Nowhere1', DIR), undefined);
    assert.equal(loadCidToUnicode('../x', DIR), undefined);
    assert.equal(loadCidToUnicode('Japan1', path.join(DIR, 'none')), undefined);
  });

  it('compact tables: packed pairs, long texts, ranges and overrides', () => {
    const t = new CidToUnicode();
    t.setUnits(1, 0x41, 2);
    t.setUnits(2, 0xd840dc0b, 4); // a surrogate pair
    t.setUnits(3, 0x0041, 4); // a leading U+0000 unit is kept, as the CMap keeps it
    t.setUnits(4, 0x414243, 3); // an odd trailing byte is dropped
    t.set(5, '有限会社');
    t.setRange(10, 12, 'x');
    t.setRange(20, 21, 'ab');
    t.setRange(30, 31, 'abc');
    t.setUnits(5, 0x42, 2); // a later single replaces a long text
    t.setUnits(40, 0, 2); // U+0000 is a mapping, as in the CMap
    t.setRange(41, 42, '\uffff'); // the last unit wraps to U+0000 at CID 42
    assert.deepEqual([1, 2, 3, 4, 5, 10, 12, 20, 21, 30, 31, 40, 41, 42, 6, -1, 70000].map((c) => t.unicode(c)), ['A', '\ud840\udc0b', '\0A', '\u4142', 'B', 'x', 'z', 'ab', 'ac', 'abc', 'abd', '\0', '\uffff', '\0', undefined, undefined, undefined]);
  });

  it('caches per name', () => {
    assert.equal(load('UniJIS-UCS2-H'), load('UniJIS-UCS2-H'));
  });

  it('loads from the default directory', () => {
    assert.equal(loadPredefinedCMap('H')?.cid(0x2422), 843);
  });

  it('truncated or malformed data does not throw', () => {
    const full = readFileSync(path.join(DIR, '90ms-RKSJ-H.bcmap'));
    for (const n of [0, 1, 2, 100, full.length >> 1, full.length - 1]) {
      assert.ok(parseBinaryCMap(full.subarray(0, n)) instanceof CMap);
    }
    assert.equal(parseBinaryCMap(full.subarray(0, full.length - 1)).cid(0x82a0), 843);
    assert.ok(parseBinaryCMap(Uint8Array.from([0, 0xc0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])) instanceof CMap);
  });
});
