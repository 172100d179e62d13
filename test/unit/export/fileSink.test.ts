import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FileSink, hashStoredFile, readDataLines } from '../../../src/core/export/formats/fileSink';
import { useTempDir } from '../../support/tmp';

describe('FileSink (the one output file of the export writers)', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  it('writes text and bytes, sha256 and size as written, without keeping the caller\'s buffers', async () => {
    const file = path.join(tmp.dir, 'sub', 'plain.txt');
    const sink = await FileSink.open(file, { bufferBytes: 64 });
    const reused = Buffer.from('bytes-1;');
    await sink.write('héllo;');
    await sink.write(reused);
    reused.write('XXXXXXX;');
    await sink.write('x'.repeat(200)); // over the buffer: written straight through
    const { bytes, sha256 } = await sink.close();
    const want = Buffer.concat([Buffer.from('héllo;'), Buffer.from('bytes-1;'), Buffer.from('x'.repeat(200))]);
    assert.deepEqual(await fs.readFile(file), want);
    assert.equal(bytes, want.length);
    assert.equal(sha256, createHash('sha256').update(want).digest('hex'));
    assert.equal(sink.rawBytes, want.length);
    assert.deepEqual(await hashStoredFile(file), { bytes, sha256 });
  });

  it('gzip: many MB through a small buffer (back-pressure), the same input gives the same bytes, sha256 of the compressed file', async () => {
    const lines = Array.from({ length: 60_000 }, (_, i) => `{"id":${i},"text":"line ${i} ${createHash('md5').update(String(i)).digest('hex')}"}\n`);
    const write = async (name: string) => {
      const sink = await FileSink.open(path.join(tmp.dir, FileSink.fileName(name, 'gzip')), { compression: 'gzip', bufferBytes: 4096 });
      for (const l of lines) await sink.write(l);
      return { ...(await sink.close()), rawBytes: sink.rawBytes };
    };
    const a = await write('a.jsonl');
    const b = await write('b.jsonl');
    const gz = await fs.readFile(path.join(tmp.dir, 'a.jsonl.gz'));
    assert.equal(gunzipSync(gz).toString('utf8'), lines.join(''));
    assert.equal(a.bytes, gz.length);
    assert.equal(a.sha256, createHash('sha256').update(gz).digest('hex'));
    assert.equal(a.rawBytes, Buffer.byteLength(lines.join('')));
    assert.ok(a.bytes < a.rawBytes / 2, 'compressed');
    assert.equal(b.sha256, a.sha256, 'deterministic');
    let n = 0;
    for await (const line of readDataLines(path.join(tmp.dir, 'a.jsonl.gz'))) assert.equal(line + '\n', lines[n++]);
    assert.equal(n, lines.length);
  });

  it('discard removes the file; an aborted run stops at the next flush; an unwritable place is OUTPUT_UNWRITABLE naming the file', async () => {
    const file = path.join(tmp.dir, 'gone.csv.gz');
    const sink = await FileSink.open(file, { compression: 'gzip' });
    await sink.write('a,b\n');
    await sink.discard();
    await assert.rejects(fs.access(file));

    const ac = new AbortController();
    const aborted = await FileSink.open(path.join(tmp.dir, 'aborted.txt'), { signal: ac.signal, bufferBytes: 8 });
    ac.abort();
    await assert.rejects(aborted.write('0123456789'), { code: 'CANCELLED' });
    await aborted.discard();

    await fs.writeFile(path.join(tmp.dir, 'a-file'), '');
    const bad = path.join(tmp.dir, 'a-file', 'x.jsonl');
    await assert.rejects(FileSink.open(bad), (e: { code: string; file: string }) => e.code === 'OUTPUT_UNWRITABLE' && e.file === bad);
  });
});
