import * as assert from 'node:assert/strict';
import { bidiReorder, hasRtl } from '../../../src/core/extract/pdf/bidi';

describe('bidi reordering of visual-order PDF text', () => {
  it('leaves left-to-right text alone', () => {
    assert.equal(hasRtl('Plain text 123'), false);
    assert.deepEqual(bidiReorder('Plain text 123'), { text: 'Plain text 123', rtl: false });
  });

  it('reverses a right-to-left word and keeps numbers in their own order', () => {
    assert.deepEqual(bidiReorder('םולש'), { text: 'שלום', rtl: true });
    assert.deepEqual(bidiReorder('123 םולש'), { text: 'שלום 123', rtl: true });
    assert.deepEqual(bidiReorder('3.14 :ריחמ'), { text: 'מחיר: 3.14', rtl: true });
  });

  it('keeps a left-to-right base for mostly left-to-right runs with an embedded right-to-left word', () => {
    assert.deepEqual(bidiReorder('Hello םולש world, and more'), { text: 'Hello שלום world, and more', rtl: false });
  });

  it('treats Arabic letters, Arabic-Indic digits and marks', () => {
    assert.equal(hasRtl('مرحبا'), true);
    // visual "ابحرم" → logical "مرحبا"; Arabic-Indic digits stay in order
    assert.deepEqual(bidiReorder('١٢ ابحرم'), { text: 'مرحبا ١٢', rtl: true });
  });
});
