import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { pytorchFormat } from '../../../src/core/export/formats/pytorch';
import { readSafetensorsHeader, SafetensorsWriter } from '../../../src/core/export/formats/safetensors';
import { chatMlTokens, trainingSequence } from '../../../src/core/export/formats/trainingSequence';
import { naturalRow } from '../../../src/core/export/rows';
import { loadTokenizer } from '../../../src/core/records/tokenizer';
import type { ChatRecord } from '../../../src/core/records/types';
import { generatedContext, generatedRecord } from '../../support/exportGenerated';
import { useTempDir } from '../../support/tmp';

const run = promisify(execFile);

async function python(script: string, ...args: string[]): Promise<string> {
  return (await run('python3', ['-c', script, ...args], { maxBuffer: 64 << 20 })).stdout;
}

async function hasTorch(): Promise<boolean> {
  return python('import torch').then(() => true, () => false);
}

/** A tensor of a safetensors file read in the test (independently of dataset.py): [begin, end) offsets after the header. */
async function tensor(file: string, name: string): Promise<number[]> {
  const bytes = await fs.readFile(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; data_offsets: [number, number] }>;
  const { dtype, data_offsets: [b, e] } = header[name];
  const data = bytes.subarray(8 + n + b, 8 + n + e);
  const out: number[] = [];
  const width = dtype === 'I64' ? 8 : dtype === 'I32' ? 4 : 1;
  for (let at = 0; at < data.length; at += width) out.push(dtype === 'I64' ? Number(data.readBigInt64LE(at)) : dtype === 'I32' ? data.readInt32LE(at) : data.readUInt8(at));
  return out;
}

describe('export: PyTorch (JSONL, dataset.py, safetensors)', function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  it('writes JSONL per split and a dataset.py that compiles and reads them (without torch where it is absent)', async () => {
    const files = await pytorchFormat.write(generatedContext(tmp.dir, 'chat', { train: 20, test: 3 }));
    assert.deepEqual(files.map((f) => f.path), ['pytorch/train.jsonl', 'pytorch/test.jsonl', 'pytorch/dataset.py']);
    assert.deepEqual(await pytorchFormat.verify(tmp.dir, files), []);
    const dir = path.join(tmp.dir, 'pytorch');
    await run('python3', ['-m', 'py_compile', path.join(dir, 'dataset.py')]);
    const out = await python(
      'import json, sys; sys.path.insert(0, sys.argv[1]); import dataset as d\n' +
        'ds = d.TextDataset("train"); batch = d.collate_text([ds[i] for i in range(3)])\n' +
        'print(json.dumps({"splits": d.SPLITS, "n": len(ds), "test": len(d.TextDataset("test")), "first": ds[0], "ids": batch["id"], "torch": d.torch is not None}, ensure_ascii=False))',
      dir,
    );
    const got = JSON.parse(out) as { splits: string[]; n: number; test: number; first: unknown; ids: string[]; torch: boolean };
    assert.deepEqual(got.splits, ['train', 'test']);
    assert.equal(got.n, 20);
    assert.equal(got.test, 3);
    assert.deepEqual(got.first, naturalRow(generatedRecord('chat', 0, 'train'), false));
    assert.deepEqual(got.ids, ['train-chat-000000', 'train-chat-000001', 'train-chat-000002']);
    assert.equal(got.torch, await hasTorch());
  });

  for (const kind of ['chat', 'instruction', 'completion'] as const) {
    it(`pre-tokenises ${kind} records with Qwen3 into flat safetensors with -100 on prompt tokens`, async () => {
      const files = await pytorchFormat.write(generatedContext(tmp.dir, kind, { train: 12, validation: 2 }, { tokenizer: 'qwen3' }, {}, 3000));
      assert.deepEqual(files.map((f) => f.path), ['pytorch/train.jsonl', 'pytorch/train.safetensors', 'pytorch/validation.jsonl', 'pytorch/validation.safetensors', 'pytorch/dataset.py']);
      assert.deepEqual(await pytorchFormat.verify(tmp.dir, files), []);
      const file = path.join(tmp.dir, 'pytorch/train.safetensors');
      const { metadata, tensors } = await readSafetensorsHeader(file);
      assert.equal(metadata.tokenizer, 'qwen3');
      assert.match(metadata.template, /im_start/);
      assert.deepEqual(Object.keys(tensors), ['offsets', 'input_ids', 'labels', 'attention_mask']);
      const [offsets, ids, labels, mask] = await Promise.all(['offsets', 'input_ids', 'labels', 'attention_mask'].map((n) => tensor(file, n)));
      assert.equal(offsets.length, 13);
      assert.equal(offsets[12], ids.length);
      assert.ok(mask.every((m) => m === 1) && mask.length === ids.length && labels.length === ids.length);
      const tok = loadTokenizer('qwen3');
      for (const i of [0, 1, 5]) {
        const record = generatedRecord(kind, i, 'train', 3000);
        const span = ids.slice(offsets[i], offsets[i + 1]);
        const lab = labels.slice(offsets[i], offsets[i + 1]);
        const text = tok.decode(span);
        const learned = tok.decode(lab.filter((l) => l !== -100));
        if (record.kind === 'completion') {
          assert.equal(text, `${record.text}<|endoftext|>`);
          assert.deepEqual(lab, span);
        } else {
          const messages = record.kind === 'chat' ? record.messages : [{ role: 'user', content: record.input ? `${record.instruction}\n\n${record.input}` : record.instruction }, { role: 'assistant', content: record.output }];
          assert.equal(text, messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join(''));
          assert.equal(learned, messages.filter((m) => m.role === 'assistant').map((m) => `${m.content}<|im_end|>`).join(''));
          assert.equal(lab[0], -100);
        }
      }
      // dataset.py's own standard-library reader accepts the file.
      const out = await python('import sys; sys.path.insert(0, sys.argv[1]); import dataset as d\nh, start = d.read_safetensors_header(sys.argv[2]); print(h["__metadata__"]["tokenizer"], h["offsets"]["shape"][0], start % 8, d.TOKENIZER, d.PAD_ID)', path.join(tmp.dir, 'pytorch'), file);
      assert.equal(out.trim(), 'qwen3 13 0 qwen3 151643');
    });
  }

  it('runs the DataLoader where torch is installed, and says torch is needed where it is not', async () => {
    await pytorchFormat.write(generatedContext(tmp.dir, 'chat', { train: 6 }, { tokenizer: 'qwen3' }, {}, 3000));
    const script = 'import sys; sys.path.insert(0, sys.argv[1]); import dataset as d\n' +
      'try:\n  b = next(iter(d.dataloader("train", batch_size=4, shuffle=False)))\n  print("ok", tuple(b["input_ids"].shape)[0], int((b["labels"] == -100).any()), int((b["attention_mask"] == 0).any()))\n' +
      'except ImportError as e:\n  print("no-torch", e)';
    const out = (await python(script, path.join(tmp.dir, 'pytorch'))).trim();
    if (await hasTorch()) assert.equal(out, 'ok 4 1 1');
    else assert.equal(out, 'no-torch torch is needed for a DataLoader: pip install torch');
  });

  it('cuts sequences at maxTokens and counts them in __metadata__', async () => {
    const files = await pytorchFormat.write(generatedContext(tmp.dir, 'completion', { train: 6 }, { tokenizer: 'qwen3', maxTokens: 16 }, {}, 3000));
    const file = path.join(tmp.dir, files[1].path);
    const { metadata } = await readSafetensorsHeader(file);
    assert.equal(metadata.max_tokens, '16');
    const offsets = await tensor(file, 'offsets');
    assert.ok(offsets.every((o, i) => i === 0 || o - offsets[i - 1] <= 16));
    assert.ok(Number(metadata.truncated) >= 2); // the long record and generated ones
    const seq = trainingSequence(generatedRecord('chat', 4, 'train', 3000) as ChatRecord, loadTokenizer('qwen3'), chatMlTokens(loadTokenizer('qwen3')), 10);
    assert.equal(seq.truncated, true);
    assert.equal(seq.inputIds.length, 10);
  });

  it('readSafetensorsHeader rejects a truncated file, a bad header and overlapping tensors', async () => {
    const file = path.join(tmp.dir, 'x.safetensors');
    const writer = await SafetensorsWriter.open(file, [{ name: 'a', dtype: 'I64' }, { name: 'b', dtype: 'U8' }]);
    await writer.push('a', [1, 2, 3]);
    await writer.push('b', [7]);
    await writer.close({ k: 'v' });
    const good = await readSafetensorsHeader(file);
    assert.deepEqual(good.tensors.a, { dtype: 'I64', shape: [3], data_offsets: [0, 24] });
    const bytes = await fs.readFile(file);
    await fs.writeFile(file, bytes.subarray(0, bytes.length - 1));
    await assert.rejects(readSafetensorsHeader(file), /data ends at byte/);
    const header = JSON.stringify({ a: { dtype: 'I64', shape: [3], data_offsets: [0, 24] }, b: { dtype: 'U8', shape: [1], data_offsets: [20, 21] } });
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    await fs.writeFile(file, Buffer.concat([len, Buffer.from(header), Buffer.alloc(25)]));
    await assert.rejects(readSafetensorsHeader(file), /gap or overlap/);
    len.writeBigUInt64LE(3n);
    await fs.writeFile(file, Buffer.concat([len, Buffer.from('{x}')]));
    await assert.rejects(readSafetensorsHeader(file), /header is not JSON/);
    const files = await pytorchFormat.write(generatedContext(path.join(tmp.dir, 'v'), 'chat', { train: 3 }, { tokenizer: 'qwen3' }, {}, 3000));
    await fs.truncate(path.join(tmp.dir, 'v', files[1].path), 100);
    assert.ok((await pytorchFormat.verify(path.join(tmp.dir, 'v'), files)).some((f) => /cannot be read/.test(f.message)));
  });
});
