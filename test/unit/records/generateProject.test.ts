import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ProjectConfig } from '../../../src/core/project/config';
import type { Project } from '../../../src/core/project/project';
import { EnvSecretSource } from '../../../src/core/secrets';
import { buildProjectRecords } from '../../../src/core/records/build';
import { estimateProjectGeneration, generateProjectRecords, type ProjectGenerateOptions } from '../../../src/core/records/generateProject';
import { RecordStore } from '../../../src/core/records/store';
import type { InstructionRecord, TrainingRecord } from '../../../src/core/records/types';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { recordProject } from '../../support/recordProject';
import { useTempDir } from '../../support/tmp';

async function allRecords(project: Project): Promise<TrainingRecord[]> {
  const out: TrainingRecord[] = [];
  for await (const r of new RecordStore(project.paths.records).records()) out.push(r);
  return out;
}

async function files(dir: string): Promise<string[]> {
  return (await fs.readdir(dir).catch(() => [] as string[])).sort();
}

describe('records: generation over the project (records generate)', function () {
  this.timeout(60_000);
  const tmp = useTempDir();
  let server: FakeOpenAiServer;
  beforeEach(async () => {
    server = await startFakeOpenAiServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const generateConfig = (over: object = {}): NonNullable<ProjectConfig['records']>['generate'] => ({ model: 'test-model', baseUrl: 'http://127.0.0.1:9/v1', questionsPerChunk: 2, concurrency: 2, price: { inputPerMTok: 1, outputPerMTok: 2 }, ...over });
  const opts = (more: Partial<ProjectGenerateOptions> = {}): ProjectGenerateOptions => ({ overrides: { baseUrl: server.baseURL }, secrets: new EnvSecretSource({ OPENAI_API_KEY: 'sk-test-abcdef0123456789' }), retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...more });

  it('estimates, generates, and the next build merges the generated records without a model call; a re-run is free', async () => {
    const project = await recordProject(tmp.dir, { seeds: [31, 32], pairs: true, records: { builders: ['chunk', 'pairs'], generate: generateConfig() } });
    const est = await estimateProjectGeneration(project, opts());
    assert.equal(est.documents, 2, 'the pairs documents have no chunks to generate from');
    assert.ok(est.chunks > 2);
    assert.equal(est.requests, est.chunks);
    assert.equal(est.cached, 0);
    assert.ok(est.promptTokens > est.chunks * 50, 'prompt tokens counted with the tokenizer');
    assert.equal(est.completionTokens, est.requests * 240);
    assert.equal(est.maxCompletionTokens, est.requests * 1024);
    assert.ok(Math.abs(est.costUsd! - (est.promptTokens + 2 * est.completionTokens) / 1e6) < 1e-9);
    assert.equal(est.baseUrl, server.baseURL, 'the override wins over brightrun.json');
    assert.equal(server.requests.length, 0, 'estimating sends nothing');

    const progress: number[] = [];
    const res = await generateProjectRecords(project, opts({ onProgress: (p) => progress.push(p.done) }));
    assert.equal(res.requests, est.chunks);
    assert.equal(res.records, est.chunks * 2);
    assert.equal(res.documents, 2);
    assert.deepEqual(res.failed, []);
    assert.deepEqual(res.usage, { promptTokens: 100 * est.chunks, completionTokens: 20 * est.chunks });
    assert.ok(Math.abs(res.costUsd! - (100 * est.chunks + 40 * est.chunks) / 1e6) < 1e-9);
    assert.equal(progress.at(-1), est.chunks);
    assert.equal(server.requests[0]!.authorization, 'Bearer sk-test-abcdef0123456789');
    const generated = await files(path.join(project.paths.records, 'generated'));
    assert.equal(generated.length, 4, 'two with records, two empty (pairs documents)');
    for (const f of generated) assert.ok(!(await fs.readFile(path.join(project.paths.records, 'generated', f), 'utf8')).includes('sk-test'), 'the key is never written');

    const asked = server.requests.length;
    const { manifest } = await buildProjectRecords(project);
    assert.equal(server.requests.length, asked, 'the build calls no model');
    assert.equal(manifest.builders.generate!.records, res.records);
    assert.deepEqual(manifest.generation, { documents: 2, pending: 0 });
    const records = await allRecords(project);
    const gen = records.filter((r): r is InstructionRecord => r.lineage.builder === 'generate');
    assert.equal(gen.length, res.records);
    assert.ok(gen.every((r) => r.kind === 'instruction' && r.lineage.model === 'test-model' && r.lineage.sourcePath.startsWith('docs/') && /^Q[12] about: /.test(r.instruction)));
    const split = new Map(records.filter((r) => r.lineage.builder === 'chunk').map((r) => [r.lineage.documentId, r.split]));
    assert.ok(gen.every((r) => r.split === split.get(r.lineage.documentId)), 'generated records share their document\'s split');

    // Nothing left to do: the estimate says so, and a re-run asks nothing.
    const again = await estimateProjectGeneration(project, opts());
    assert.deepEqual([again.documents, again.done, again.requests], [0, 4, 0]);
    const rerun = await generateProjectRecords(project, opts());
    assert.equal(rerun.requests, 0);
    assert.equal(server.requests.length, asked);
    // The build still merges them; a build without records.generate leaves them out (and keeps the files).
    await project.saveConfig({ ...project.config, records: { ...project.config.records, generate: undefined } } as ProjectConfig);
    const without = await buildProjectRecords(project);
    assert.equal(without.manifest.builders.generate, undefined);
    assert.equal((await files(path.join(project.paths.records, 'generated'))).length, 4);
  });

  it('a new build of chunks (new document) leaves its generation pending; malformed replies are counted and retried next run', async () => {
    const project = await recordProject(tmp.dir, { seeds: [33], records: { builders: ['chunk'], generate: generateConfig({ concurrency: 1 }) } });
    server.script.push({ content: 'Sure! Here you go.' }, { content: '{"pairs": []}' });
    const first = await generateProjectRecords(project, opts());
    assert.equal(first.failed.length, 1);
    assert.equal(first.failed[0]!.chunk, 0);
    assert.equal(first.failed[0]!.sourcePath, 'docs/d33.md');
    assert.match(first.failed[0]!.reason, /no "pairs" list/);
    const chunks = (await estimateProjectGeneration(project, opts())).chunks;
    assert.equal(first.requests, chunks + 1);
    const m = (await buildProjectRecords(project)).manifest;
    assert.equal(m.builders.generate!.problems, 1);
    assert.ok(m.problems.some((p) => p.builder === 'generate' && p.chunk === 0 && /pairs/.test(p.reason)));

    const before = server.requests.length;
    const second = await generateProjectRecords(project, opts());
    assert.equal(second.requests, 1, 'only the malformed chunk is asked again');
    assert.equal(second.cached, chunks - 1);
    assert.deepEqual(second.failed, []);
    assert.equal(server.requests.length, before + 1);

    await recordProject(tmp.dir, { seeds: [33, 34], records: { builders: ['chunk'], generate: generateConfig({ concurrency: 1 }) } });
    const m2 = (await buildProjectRecords(project)).manifest;
    assert.deepEqual(m2.generation, { documents: 1, pending: 1 });
  });

  it('cancels cleanly and resumes without asking again; a new model replaces the old generated files after a complete run', async () => {
    const project = await recordProject(tmp.dir, { seeds: [35], records: { builders: ['chunk'], generate: generateConfig({ concurrency: 1 }) } });
    const ac = new AbortController();
    await assert.rejects(generateProjectRecords(project, opts({ signal: ac.signal, onProgress: (p) => p.done >= 2 && ac.abort() })), { code: 'CANCELLED' });
    const asked = server.requests.length;
    assert.ok(asked >= 2);
    assert.deepEqual(await files(path.join(project.paths.records, 'generated')), [], 'an unfinished document is not written');
    const res = await generateProjectRecords(project, opts());
    assert.equal(res.cached, 2, 'answers received before the cancel are kept');
    assert.equal(res.cached + res.requests, (await estimateProjectGeneration(project, opts())).done === 1 ? res.records / 2 : -1, 'every chunk once: cached or asked');
    const seen = server.requests.slice(0, 2).map((r) => r.body.messages.at(-1)!.content);
    assert.ok(server.requests.slice(asked).every((r) => !seen.includes(r.body.messages.at(-1)!.content)), 'no cached chunk is asked again');

    await project.saveConfig({ ...project.config, records: { ...project.config.records, generate: generateConfig({ concurrency: 1, model: 'other-model' }) } });
    const other = await generateProjectRecords(project, opts());
    assert.equal(other.removedStale, 1);
    const names = await files(path.join(project.paths.records, 'generated'));
    assert.equal(names.length, 1);
    assert.ok(server.requests.at(-1)!.body.model === 'other-model');
  });

  it('needs records.generate, and stops with LLM_REQUEST_FAILED (answers kept) when the server refuses', async () => {
    const project = await recordProject(tmp.dir, { seeds: [36], records: { builders: ['chunk'] } });
    await assert.rejects(estimateProjectGeneration(project, opts()), (e: { code: string; message: string }) => e.code === 'CONFIG_INVALID' && /records\.generate/.test(e.message));
    await project.saveConfig({ ...project.config, records: { ...project.config.records, generate: generateConfig({ concurrency: 1 }) } });
    server.script.push({}, { status: 401 });
    await assert.rejects(generateProjectRecords(project, opts()), (e: { code: string; message: string; remedy: string }) => e.code === 'LLM_REQUEST_FAILED' && /refused the key/.test(e.message) && /OPENAI_API_KEY/.test(e.remedy) && !e.message.includes('sk-test'));
    const res = await generateProjectRecords(project, opts());
    assert.equal(res.cached, 1);
    // The server's own words reach the message of a non-retryable HTTP error; a password in the URL never does.
    await project.saveConfig({ ...project.config, records: { ...project.config.records, generate: generateConfig({ concurrency: 1, model: 'other-model' }) } });
    server.script.push({ status: 400, body: { error: { message: 'unknown parameter: frobnicate' } } });
    await assert.rejects(generateProjectRecords(project, opts()), (e: { code: string; message: string }) => e.code === 'LLM_REQUEST_FAILED' && /HTTP 400: "unknown parameter: frobnicate"/.test(e.message));
    const withPassword = server.baseURL.replace('http://', 'http://user:hunter2@');
    await assert.rejects(estimateProjectGeneration(project, opts({ overrides: { baseUrl: withPassword } })), (e: { code: string; message: string; file: string }) => e.code === 'CONFIG_INVALID' && e.file === 'OPENAI_BASE_URL' && !e.message.includes('hunter2') && e.message.includes(server.baseURL));
  });
});
