import * as assert from 'node:assert/strict';
import { BrightRunError } from '../../../src/core/errors';
import type { ExtractedDocument } from '../../../src/core/extract/types';
import { EnvSecretSource } from '../../../src/core/secrets';
import { estimateGeneration, generateQaRecords, promptHash, type GenerateOptions } from '../../../src/core/records/llm/generate';
import { DEFAULT_GENERATION_PROMPTS, parsePairsReply } from '../../../src/core/records/llm/prompts';
import { backoffMs, retryAfterMs, sleep } from '../../../src/core/records/llm/retry';
import type { SourceChunk } from '../../../src/core/records/templates';
import type { ChatRecord, InstructionRecord } from '../../../src/core/records/types';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { useTempDir } from '../../support/tmp';

const KEY = 'sk-test-0123456789abcdef';
const doc = {
  id: 'c'.repeat(64), source: { path: 'docs/pump.pdf', name: 'pump.pdf', size: 1 }, format: 'pdf', detectedBy: 'test', metadata: { title: 'Pump Manual' },
  blocks: [], text: '', markdown: '', warnings: [], extractor: { name: 'brightrun', version: '1', backend: 'pdf' }, timings: { totalMs: 0 }, ocrPages: 0, extractedAt: '2026-01-01T00:00:00Z',
} as ExtractedDocument;
const chunksOf = (n: number): SourceChunk[] => Array.from({ length: n }, (_, i) => ({ text: `Passage number ${i}: the pump runs at ${i * 10} rpm.`, span: { start: i * 100, end: i * 100 + 50 }, headingPath: ['Operation'], page: i + 1 }));
const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name] ?? null });

function expectRejects(p: Promise<unknown>, code: string): Promise<BrightRunError> {
  return p.then(
    () => assert.fail('expected a rejection'),
    (err: unknown) => {
      assert.ok(err instanceof BrightRunError, String(err));
      assert.equal(err.code, code, err.message);
      return err;
    },
  );
}

describe('records/llm: retry timing', () => {
  it('reads Retry-After as seconds, as an HTTP date, and retry-after-ms', () => {
    assert.equal(retryAfterMs(headers({ 'retry-after': '3' })), 3000);
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    assert.equal(retryAfterMs(headers({ 'retry-after': 'Wed, 21 Oct 2015 07:28:05 GMT' }), now), 5000);
    assert.equal(retryAfterMs(headers({ 'retry-after': 'Wed, 21 Oct 2015 07:27:00 GMT' }), now), 0);
    assert.equal(retryAfterMs(headers({ 'retry-after-ms': '250' })), 250);
    assert.equal(retryAfterMs(headers({ 'retry-after': 'soon' })), undefined);
    assert.equal(retryAfterMs(headers({})), undefined);
    assert.equal(retryAfterMs(undefined), undefined);
  });

  it('backs off exponentially with full jitter, capped', () => {
    assert.equal(backoffMs(0, 1000, 30_000, () => 0.5), 500);
    assert.equal(backoffMs(3, 1000, 30_000, () => 0.5), 4000);
    assert.equal(backoffMs(10, 1000, 30_000, () => 0.999), 29_970);
    for (let i = 0; i < 50; i++) {
      const ms = backoffMs(2, 100, 1000);
      assert.ok(ms >= 0 && ms < 400);
    }
  });

  it('sleep stops at the signal', async () => {
    const ac = new AbortController();
    const p = sleep(10_000, ac.signal);
    ac.abort();
    await expectRejects(p, 'CANCELLED');
    await expectRejects(sleep(1, ac.signal), 'CANCELLED');
  });

  it('parses the reply shape and names what is wrong', () => {
    assert.deepEqual(parsePairsReply('```json\n{"pairs":[{"question":"Q","answer":"A"}]}\n```', 'stop'), [{ question: 'Q', answer: 'A' }]);
    assert.deepEqual(parsePairsReply('[{"question":" Q ","answer":"A"}]', 'stop'), [{ question: 'Q', answer: 'A' }]);
    assert.match(parsePairsReply('{"pairs":[{"question":"Q"', 'length') as string, /cut off/);
    assert.match(parsePairsReply('  ', 'stop') as string, /empty/);
    assert.match(parsePairsReply('Sure! Here are', 'stop') as string, /not JSON/);
    assert.match(parsePairsReply('{"items":[]}', 'stop') as string, /no "pairs"/);
    assert.match(parsePairsReply('{"pairs":[{"question":"Q","answer":""}]}', 'stop') as string, /lacked/);
  });
});

describe('records/llm: generation against a local server', function () {
  this.timeout(20_000);
  const tmp = useTempDir();
  let server: FakeOpenAiServer;
  beforeEach(async () => {
    server = await startFakeOpenAiServer();
  });
  afterEach(async () => {
    await server.close();
  });
  const options = (over: Partial<GenerateOptions['settings']> = {}, rest: Partial<GenerateOptions> = {}): GenerateOptions => ({
    settings: { baseUrl: server.baseURL, model: 'test-model', questionsPerChunk: 2, concurrency: 2, ...over },
    cacheDir: `${tmp.dir}/cache`,
    secrets: new EnvSecretSource({ OPENAI_API_KEY: KEY }),
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    ...rest,
  });

  it('makes N records a chunk with lineage, model and prompt hash; the key is sent and never kept', async () => {
    const progress: number[] = [];
    const res = await generateQaRecords(doc, chunksOf(3), options({}, { onProgress: (p) => progress.push(p.done) }));
    assert.equal(server.requests.length, 3);
    assert.equal(server.requests[0]!.authorization, `Bearer ${KEY}`);
    assert.equal(server.requests[0]!.body.model, 'test-model');
    assert.match(server.requests[0]!.body.messages[0]!.content, /"Pump Manual"/);
    assert.match(server.requests[0]!.body.messages[1]!.content, /Write 2 question–answer pairs/);
    assert.equal(res.records.length, 6);
    assert.deepEqual(progress, [1, 2, 3]);
    const r = res.records[2] as InstructionRecord;
    assert.equal(r.kind, 'instruction');
    assert.match(r.instruction, /^Q1 about: Passage number 1/);
    assert.equal(r.output, 'A1: Passage number 1: the pump runs at 10 rpm.');
    assert.deepEqual({ ...r.lineage, paramsHash: '' }, { documentId: doc.id, sourcePath: 'docs/pump.pdf', page: 2, span: { start: 100, end: 150 }, headingPath: ['Operation'], builder: 'generate', paramsHash: '', model: 'test-model', promptHash: promptHash(DEFAULT_GENERATION_PROMPTS) });
    assert.equal(new Set(res.records.map((x) => x.id)).size, 6);
    assert.deepEqual(res.usage, { promptTokens: 300, completionTokens: 60 });
    assert.equal(res.failed.length, 0);
    assert.ok(!JSON.stringify(res).includes(KEY));
    const chat = await generateQaRecords(doc, chunksOf(1), options({ output: 'chat', questionsPerChunk: 1 }));
    assert.deepEqual((chat.records[0] as ChatRecord).messages.map((m) => m.role), ['user', 'assistant']);
  });

  it('honours Retry-After on 429 (a 1-second wait, not the backoff)', async () => {
    server.script.push({ status: 429, headers: { 'retry-after': '1' } });
    const res = await generateQaRecords(doc, chunksOf(1), options({}, { random: () => 0 }));
    assert.equal(server.requests.length, 2);
    const gap = server.requests[1]!.at - server.requests[0]!.at;
    assert.ok(gap >= 950, `waited ${gap} ms`);
    assert.equal(res.records.length, 2);
  });

  it('retries a 500 and then succeeds', async () => {
    const waits: number[] = [];
    server.script.push({ status: 500 }, { status: 503 });
    const res = await generateQaRecords(doc, chunksOf(1), options({}, { onRetry: (i) => waits.push(i.waitMs) }));
    assert.equal(server.requests.length, 3);
    assert.equal(waits.length, 2);
    assert.ok(waits.every((w) => w < 50));
    assert.equal(res.records.length, 2);
  });

  it('retries a time-out, and fails with a specific error when every attempt times out', async () => {
    server.script.push({ hang: true });
    const res = await generateQaRecords(doc, chunksOf(1), options({ timeoutSeconds: 0.3 }));
    assert.equal(server.requests.length, 2);
    assert.equal(res.records.length, 2);

    server.script.push({ hang: true }, { hang: true });
    const started = Date.now();
    const err = await expectRejects(generateQaRecords(doc, [{ ...chunksOf(1)[0]!, text: 'another passage' }], options({ timeoutSeconds: 0.3, maxAttempts: 2 })), 'LLM_REQUEST_FAILED');
    assert.match(err.message, /timed out after 2 attempts/);
    assert.ok(Date.now() - started < 3000);
  });

  it('retries a malformed reply once, then counts and reports it', async () => {
    server.script.push({ content: 'Sure! Here are your pairs:' }, { content: '{"pairs": []}' });
    const res = await generateQaRecords(doc, chunksOf(2), options({ concurrency: 1 }));
    assert.equal(server.requests.length, 3);
    assert.equal(res.failed.length, 1);
    assert.deepEqual(res.failed[0], { chunk: 0, span: { start: 0, end: 50 }, reason: 'the reply had no "pairs" list' });
    assert.equal(res.records.length, 2);

    server.requests.length = 0;
    server.script.push({ content: '{"pairs":[{"question":"Q', finishReason: 'length' });
    const cut = await generateQaRecords(doc, [{ ...chunksOf(1)[0]!, text: 'a cut-off passage' }], options());
    assert.equal(server.requests.length, 2, 'retried once after finish_reason length');
    assert.equal(cut.failed.length, 0);
    assert.equal(cut.records.length, 2);
  });

  it('a re-run is answered from the cache: the server sees no second request', async () => {
    const first = await generateQaRecords(doc, chunksOf(3), options());
    assert.equal(server.requests.length, 3);
    const estimate = await estimateGeneration(doc, chunksOf(3), options({ price: { inputPerMTok: 1, outputPerMTok: 2 } }));
    assert.deepEqual({ cached: estimate.cached, requests: estimate.requests, costUsd: estimate.costUsd }, { cached: 3, requests: 0, costUsd: 0 });
    const again = await generateQaRecords(doc, chunksOf(3), options());
    assert.equal(server.requests.length, 3);
    assert.equal(again.cached, 3);
    assert.equal(again.requests, 0);
    assert.deepEqual(again.records, first.records);
    // Another model, another prompt or another title is another request.
    await generateQaRecords(doc, chunksOf(1), options({ model: 'other' }));
    await generateQaRecords({ ...doc, metadata: { title: 'Other' } }, chunksOf(1), options());
    assert.equal(server.requests.length, 5);
  });

  it('a killed run keeps every answer received; the re-run asks only for the rest', async () => {
    const ac = new AbortController();
    const killed = generateQaRecords(doc, chunksOf(5), options({ concurrency: 1 }, { signal: ac.signal, onProgress: (p) => p.done === 2 && ac.abort() }));
    await expectRejects(killed, 'CANCELLED');
    assert.equal(server.requests.length, 2);
    const res = await generateQaRecords(doc, chunksOf(5), options({ concurrency: 3 }));
    assert.equal(server.requests.length, 5, 'only the 3 unanswered chunks were asked');
    assert.equal(res.cached, 2);
    assert.equal(res.records.length, 10);
    assert.deepEqual(res.records.map((r) => r.lineage.span.start), [0, 0, 100, 100, 200, 200, 300, 300, 400, 400]);
  });

  it('an abort during a request stops it at once', async () => {
    server.script.push({ delayMs: 5000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const started = Date.now();
    await expectRejects(generateQaRecords(doc, chunksOf(1), options({}, { signal: ac.signal })), 'CANCELLED');
    assert.ok(Date.now() - started < 2000);
  });

  it('a refused key fails at once, with the key redacted', async () => {
    server.script.push({ status: 401, body: { error: { message: `Incorrect API key provided: ${KEY}`, type: 'invalid_request_error' } } });
    const err = await expectRejects(generateQaRecords(doc, chunksOf(2), options({ concurrency: 1 })), 'LLM_REQUEST_FAILED');
    assert.equal(server.requests.length, 1);
    assert.match(err.message, /refused the key \(HTTP 401\)/);
    assert.match(err.remedy, /OPENAI_API_KEY/);
    assert.ok(!JSON.stringify(err.toJSON()).includes(KEY), JSON.stringify(err.toJSON()));
    assert.match(err.detail ?? '', /\*\*\*/);
  });

  it('a 404, an unreachable server and a Retry-After too long fail specifically', async () => {
    server.script.push({ status: 404 });
    assert.match((await expectRejects(generateQaRecords(doc, chunksOf(1), options()), 'LLM_REQUEST_FAILED')).remedy, /\/v1/);
    server.script.push({ status: 429, headers: { 'retry-after': '3600' } });
    assert.match((await expectRejects(generateQaRecords(doc, chunksOf(1), options()), 'LLM_REQUEST_FAILED')).message, /asks to wait 3600 s/);
    const closed = server.baseURL;
    await server.close();
    server = await startFakeOpenAiServer();
    assert.match((await expectRejects(generateQaRecords(doc, chunksOf(1), options({ baseUrl: closed, maxAttempts: 2 })), 'LLM_REQUEST_FAILED')).message, /could not be reached after 2 attempts/);
  });

  it('estimates tokens and cost before starting', async () => {
    const est = await estimateGeneration(doc, chunksOf(4), options({ price: { inputPerMTok: 0.5, outputPerMTok: 1.5 }, maxTokens: 500 }, { countTokens: (t) => t.length }));
    assert.equal(est.requests, 4);
    assert.equal(est.cached, 0);
    assert.ok(est.promptTokens > 4 * 300, String(est.promptTokens));
    assert.equal(est.completionTokens, 4 * 240);
    assert.equal(est.maxCompletionTokens, 4 * 500);
    assert.ok(Math.abs(est.costUsd! - (est.promptTokens * 0.5 + 960 * 1.5) / 1e6) < 1e-12);
    assert.ok(est.maxCostUsd! > est.costUsd!);
    assert.equal((await estimateGeneration(doc, chunksOf(1), options())).costUsd, undefined);
    assert.equal(server.requests.length, 0);
  });
});
