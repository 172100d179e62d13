import * as assert from 'node:assert/strict';
import { extract } from '../../../src/core';
import { diagramData, diagramDrawing, diagramFrame, pptxParts, run, slide, textBox } from '../../support/officeParts';
import { useTempDir } from '../../support/tmp';
import { buildZip } from '../../support/zipBuilder';

describe('extract: SmartArt diagrams (PPTX)', () => {
  const tmp = useTempDir();
  const diagramRels: Array<[string, string]> = [['dm', '../diagrams/data1.xml'], ['dr', '../diagrams/drawing1.xml']];

  it('reads the diagram in its own order (connections, srcOrd), nested, as part of the slide', async () => {
    // Listed out of order: the connections decide. "Step B" is a child of "Step A"; sibTrans and pres points carry no text of the diagram.
    const data = diagramData([['n3', 'Presentation'], ['n1', 'This'], ['n2', 'Is'], ['n4', 'Step B']], [['doc', 'n1', 0], ['doc', 'n3', 1], ['n1', 'n2', 0], ['n2', 'n4', 0]]);
    const parts = pptxParts([slide(textBox(run('Before')) + diagramFrame() + textBox(run('After')))], [diagramRels], { 'ppt/diagrams/data1.xml': data, 'ppt/diagrams/drawing1.xml': diagramDrawing(['ignored']) });
    const doc = await extract(await tmp.write('smart.pptx', buildZip(parts)));
    assert.equal(doc.text, 'Before\n\n- This\n  - Is\n    - Step B\n- Presentation\n\nAfter');
    assert.match(doc.markdown, /- This\n {2}- Is\n {4}- Step B\n- Presentation/);
    assert.deepEqual(doc.blocks.map((b) => [b.type, b.slide]), [['paragraph', 1], ['list', 1], ['paragraph', 1]]);
    assert.deepEqual(doc.warnings, []);
  });

  it('takes points no connection reaches in list order', async () => {
    const data = diagramData([['n1', 'Alpha'], ['n2', 'Beta']], []);
    const doc = await extract(await tmp.write('loose.pptx', buildZip(pptxParts([slide(diagramFrame())], [diagramRels], { 'ppt/diagrams/data1.xml': data }))));
    assert.equal(doc.text, '- Alpha\n- Beta');
  });

  it("falls back to Office's cached drawing when the data model holds no text", async () => {
    const data = diagramData([['n1', '']], [['doc', 'n1', 0]], 'dr');
    const parts = pptxParts([slide(diagramFrame())], [diagramRels], { 'ppt/diagrams/data1.xml': data, 'ppt/diagrams/drawing1.xml': diagramDrawing(['Drawn one', 'Drawn two']) });
    const doc = await extract(await tmp.write('drawn.pptx', buildZip(parts)));
    assert.equal(doc.text, '- Drawn one\n- Drawn two');
  });

  it('a damaged data part costs the diagram only, with UNREADABLE_PART naming it', async () => {
    const parts = pptxParts([slide(textBox(run('Kept')) + diagramFrame())], [diagramRels], { 'ppt/diagrams/data1.xml': '<dgm:dataModel><dgm:ptLst>' });
    const doc = await extract(await tmp.write('damaged.pptx', buildZip(parts)));
    assert.match(doc.text, /^Kept/);
    const w = doc.warnings.find((x) => x.code === 'UNREADABLE_PART');
    assert.ok(w, JSON.stringify(doc.warnings));
    assert.match(w.message, /ppt\/diagrams\/data1\.xml could not be read \(it is not well-formed XML/);
  });
});
