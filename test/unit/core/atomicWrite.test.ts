import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../../src/core/fs/atomicWrite';
import { sha256File } from '../../../src/core/fs/hash';
import { readInto } from '../../../src/core/fs/readInto';
import { useTempDir } from '../../support/tmp';

describe('atomic writes and hashing', () => {
  const tmp = useTempDir();

  it('replaces content and leaves no temp files behind', async () => {
    const file = path.join(tmp.dir, 'a.json');
    await writeFileAtomic(file, 'one');
    await writeJsonAtomic(file, { two: 2 });
    assert.equal(await fs.readFile(file, 'utf8'), '{\n  "two": 2\n}\n');
    assert.deepEqual(await fs.readdir(tmp.dir), ['a.json']);
  });

  it('writes parts in order, long texts piece by piece without splitting a surrogate pair', async () => {
    const file = path.join(tmp.dir, 'parts.txt');
    // 2^20 units put a surrogate pair across the first piece boundary; bytes and text both come out whole.
    const long = 'a'.repeat((1 << 20) - 1) + '😀' + 'é'.repeat(1 << 20) + '中';
    await writeFileAtomic(file, [long, Uint8Array.from([0x21]), '\n']);
    assert.equal(await fs.readFile(file, 'utf8'), long + '!\n');
    await writeFileAtomic(file, long);
    assert.equal(await fs.readFile(file, 'utf8'), long);
  });

  it('reads a file into memory whole, in parallel ranges or not, and says how much a short file gave', async () => {
    const file = path.join(tmp.dir, 'r.bin');
    const content = Buffer.alloc(20 * 1024 * 1024 + 13);
    for (let i = 0; i < content.length; i += 4096) content[i] = (i / 4096) & 0xff;
    await fs.writeFile(file, content);
    const handle = await fs.open(file, 'r');
    try {
      for (const parallel of [1, 4]) {
        const target = new Uint8Array(content.length);
        assert.equal(await readInto(handle, target, parallel), content.length);
        assert.ok(Buffer.from(target).equals(content), `parallel ${parallel}`);
      }
      const larger = new Uint8Array(content.length + 9 * 1024 * 1024);
      assert.equal(await readInto(handle, larger, 4), content.length, 'only what the file holds');
    } finally {
      await handle.close();
    }
  });

  it('keeps the old file when the write fails, and cleans its temp file', async () => {
    const file = path.join(tmp.dir, 'target');
    await fs.mkdir(file); // renaming a file over a folder fails
    await assert.rejects(writeFileAtomic(file, 'x'));
    assert.ok((await fs.stat(file)).isDirectory());
    assert.deepEqual(await fs.readdir(tmp.dir), ['target']);
  });

  it('fails on a missing folder without creating anything', async () => {
    await assert.rejects(writeFileAtomic(path.join(tmp.dir, 'nope', 'f'), 'x'), { code: 'ENOENT' });
  });

  it('hashes files by streaming and honours abort', async () => {
    const file = path.join(tmp.dir, 'h.txt');
    await fs.writeFile(file, 'abc');
    assert.equal(await sha256File(file), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const big = path.join(tmp.dir, 'big.bin');
    await fs.writeFile(big, Buffer.alloc(1 << 20, 7));
    const c = new AbortController();
    c.abort();
    await assert.rejects(sha256File(big, c.signal), { code: 'CANCELLED' });
  });

  it('stops hashing mid-file when aborted', async () => {
    const big = path.join(tmp.dir, 'big.bin');
    await fs.writeFile(big, Buffer.alloc(4 << 20, 1));
    const c = new AbortController();
    const p = sha256File(big, c.signal);
    setImmediate(() => c.abort());
    await assert.rejects(p, { code: 'CANCELLED' });
  });
});
