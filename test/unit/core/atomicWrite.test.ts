import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../../src/core/fs/atomicWrite';
import { sha256File } from '../../../src/core/fs/hash';
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
