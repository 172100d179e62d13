import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { appendLog, EnvSecretSource, EtaEstimator, formatBytes, formatDuration, logFileFor, readLog, redactSecrets } from '../../../src/core';
import { useTempDir } from '../../support/tmp';

describe('EtaEstimator', () => {
  it('is unknown until enough has been measured, then follows throughput', () => {
    const eta = new EtaEstimator(100, 0);
    assert.equal(eta.update(1, 100), undefined, 'too early to tell');
    assert.equal(eta.update(10, 1000), 9000); // 10 units per second, 90 left → 9 s
    assert.equal(eta.update(100, 2000), 0);
  });

  it('smooths a sudden slowdown', () => {
    const eta = new EtaEstimator(1000, 0);
    eta.update(500, 1000); // 0.5 units/ms
    const after = eta.update(501, 2000)!; // one slow second
    const naive = (1000 - 501) / (1 / 1000);
    assert.ok(after < naive / 2, `smoothed ETA ${after} should stay well under the instantaneous ${naive}`);
    assert.ok(after > (1000 - 501) / 0.5, 'but longer than before the slowdown');
  });

  it('accepts a new total', () => {
    const eta = new EtaEstimator(10, 0);
    eta.update(5, 1000);
    eta.setTotal(20);
    assert.equal(eta.eta(5), 3000);
  });
});

describe('formatting', () => {
  it('formats durations', () => {
    assert.equal(formatDuration(12_400), '12 s');
    assert.equal(formatDuration(200_000), '3 min 20 s');
    assert.equal(formatDuration(3_900_000), '1 h 05 min');
    assert.equal(formatDuration(-5), '0 s');
  });
  it('formats bytes', () => {
    assert.equal(formatBytes(10), '10 B');
    assert.equal(formatBytes(1536), '1.5 KB');
    assert.equal(formatBytes(50 * 1024 * 1024), '50 MB');
  });
});

describe('processing log', () => {
  const tmp = useTempDir();

  it('appends JSON lines per day and skips a line cut short by a crash', async () => {
    const day = new Date('2026-03-04T10:00:00Z');
    await appendLog(tmp.dir, [], day);
    await appendLog(tmp.dir, [{ level: 'info', stage: 'extract', message: 'ok', file: 'a.pdf', durationMs: 5, pages: 2 }], day);
    await fs.appendFile(logFileFor(tmp.dir, day), '{"time":"cut');
    await fs.appendFile(logFileFor(tmp.dir, day), '\n');
    await appendLog(tmp.dir, [{ level: 'error', stage: 'extract', message: 'bad', error: { code: 'INTERNAL', message: 'm', remedy: 'r' } }], day);
    assert.equal(path.basename(logFileFor(tmp.dir, day)), '2026-03-04.jsonl');
    const entries = await readLog(tmp.dir, day);
    assert.deepEqual(entries.map((e) => e.message), ['ok', 'bad']);
    assert.equal(entries[0]!.time, day.toISOString());
    assert.deepEqual(await readLog(tmp.dir, new Date('2020-01-01')), []);
  });
});

describe('secrets', () => {
  it('reads secrets from the environment, trimmed, ignoring blanks', async () => {
    const env = new EnvSecretSource({ HF_TOKEN: ' hf_abc \n', RUNPOD_API_KEY: '  ' });
    assert.equal(await env.get('huggingface.token'), 'hf_abc');
    assert.equal(await env.get('runpod.apiKey'), undefined);
    assert.equal(await env.get('vast.apiKey'), undefined);
  });
  it('redacts secret values from text', () => {
    assert.equal(redactSecrets('token hf_secret123 used twice: hf_secret123', ['hf_secret123', undefined, 'ab']), 'token *** used twice: ***');
  });
});
