import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { recordProject } from '../../support/recordProject';
import { useTempDir } from '../../support/tmp';

/**
 * `brightrun records generate` as a user runs it: the built CLI (dist/cli.js) in its own process, against an
 * OpenAI-compatible server on 127.0.0.1 — retries on 429 + Retry-After, 500 and a time-out, malformed replies,
 * Ctrl-C, a kill midway and the resume that asks nothing twice.
 */
const CLI = path.resolve(__dirname, '../../../../dist/cli.js');
const KEY = 'sk-cli-test-9f8e7d6c5b4a3210';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(cwd: string, server: FakeOpenAiServer, args: string[]): { child: ChildProcess; done: Promise<Run> } {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: KEY };
  delete env.CI;
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

const cli = (cwd: string, server: FakeOpenAiServer, ...args: string[]) => start(cwd, server, args).done;

async function cacheEntries(root: string): Promise<number> {
  const dir = path.join(root, '.brightrun', 'cache', 'generate');
  let n = 0;
  for (const sub of await fs.readdir(dir).catch(() => [] as string[])) n += (await fs.readdir(path.join(dir, sub))).filter((f) => f.endsWith('.json')).length;
  return n;
}

async function waitFor(check: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('CLI: records generate against a local chat-completions server (dist/cli.js)', function () {
  this.timeout(120_000);
  const tmp = useTempDir();
  let server: FakeOpenAiServer;
  before(() => assert.ok(existsSync(CLI), `${CLI} is missing: run "node esbuild.mjs" first (npm test does)`));
  beforeEach(async () => {
    server = await startFakeOpenAiServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const project = (over: object = {}) =>
    recordProject(tmp.dir, { seeds: [41, 42], records: { builders: ['chunk'], generate: { model: 'test-model', baseUrl: 'http://127.0.0.1:9/v1', questionsPerChunk: 1, concurrency: 1, timeoutSeconds: 1, price: { inputPerMTok: 2.5, outputPerMTok: 10 }, ...over } } });

  it('shows the estimate first: --estimate-only asks nothing, and without --yes nothing starts off a terminal', async () => {
    await project();
    const est = await cli(tmp.dir, server, 'records', 'generate', '--estimate-only');
    assert.equal(est.code, 0, est.stderr);
    assert.match(est.stdout, new RegExp(`Generation with test-model at ${server.baseURL.replace(/[.]/g, '\\.')}:`));
    assert.match(est.stdout, /2 document\(s\) to generate \(0 already done\), (\d+) chunk\(s\), 0 answered from the cache/);
    assert.match(est.stdout, /(\d+) request\(s\): about [\d,]+ prompt tokens \+ [\d,]+ reply tokens \(at most [\d,]+\); cost about \$[\d.]+ \(at most \$[\d.]+\)/);
    const json = JSON.parse((await cli(tmp.dir, server, 'records', 'generate', '--estimate-only', '--json')).stdout);
    assert.equal(json.requests, json.chunks);
    const refused = await cli(tmp.dir, server, 'records', 'generate');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /\[INVALID_ARGUMENT\] Generation would send \d+ request\(s\) to .*; it starts only when confirmed\. — Run again with --yes/);
    assert.equal(server.requests.length, 0);
  });

  it('retries 429 (Retry-After), 500 and a time-out, counts malformed replies, never shows the key; build merges without a call', async () => {
    await project();
    server.script.push({ status: 429, headers: { 'retry-after': '1' } }, { status: 500 }, { hang: true }, { content: 'I cannot answer that.' }, { content: '{"pairs": [{"question": "Q?"}]}' });
    const run = await cli(tmp.dir, server, 'records', 'generate', '--yes');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /HTTP 429; retrying in 1\.0 s \(attempt 2\)/);
    assert.match(run.stderr, /HTTP 500; retrying in/);
    assert.match(run.stderr, /it timed out; retrying in/);
    assert.ok(server.requests[1]!.at - server.requests[0]!.at >= 950, 'Retry-After honoured');
    assert.match(run.stdout, /Generated (\d+) record\(s\) from 2 document\(s\)/);
    assert.match(run.stdout, /1 chunk\(s\) got malformed replies twice/);
    assert.match(run.stdout, /docs\/d41\.md chunk 0 \(characters \d+–\d+\): a pair lacked a question or an answer/);
    assert.ok(server.requests.every((r) => r.authorization === `Bearer ${KEY}`));
    for (const text of [run.stdout, run.stderr]) assert.ok(!text.includes(KEY));

    const asked = server.requests.length;
    const built = await cli(tmp.dir, server, 'records', 'build');
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stdout, /generate\s+\d+ record\(s\).*; 1 malformed repl\(ies\)/);
    assert.equal(server.requests.length, asked, 'records build calls no model');
    const stats = JSON.parse((await cli(tmp.dir, server, 'records', 'stats', '--json')).stdout);
    assert.ok(stats.builders.generate.records > 0 && stats.builders.chunk.records > 0);

    // The next run asks only the chunk whose replies were malformed.
    const again = await cli(tmp.dir, server, 'records', 'generate', '--yes');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(server.requests.length, asked + 1);
    assert.match(again.stdout, /1 document\(s\) to generate \(1 already done\), \d+ chunk\(s\), \d+ answered from the cache/);
  });

  it('a killed run resumes and asks nothing it already has; Ctrl-C stops cleanly (exit 130)', async () => {
    await project();
    server.script.push(...Array.from({ length: 40 }, () => ({ delayMs: 150 })));
    const first = start(tmp.dir, server, ['records', 'generate', '--yes']);
    await waitFor(() => server.requests.length >= 4);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL');
    const cached = await cacheEntries(tmp.dir);
    assert.ok(cached >= 3, `${cached} answers cached before the kill`);
    const est = JSON.parse((await cli(tmp.dir, server, 'records', 'generate', '--estimate-only', '--json')).stdout);
    assert.equal(est.cached, cached);
    const askedBefore = server.requests.length;
    const seen = new Set(server.requests.map((r) => r.body.messages.at(-1)!.content));

    // Ctrl-C: the run stops as cancelled, keeping what it received.
    server.script.length = 0;
    server.script.push(...Array.from({ length: 40 }, () => ({ delayMs: 100 })));
    const second = start(tmp.dir, server, ['records', 'generate', '--yes']);
    await waitFor(() => server.requests.length >= askedBefore + 1);
    second.child.kill('SIGINT');
    const interrupted = await second.done;
    assert.equal(interrupted.code, 130, interrupted.stderr);
    assert.match(interrupted.stderr, /cancelled — run the same command again to continue/);

    const last = await cli(tmp.dir, server, 'records', 'generate', '--yes');
    assert.equal(last.code, 0, last.stderr);
    const resumed = server.requests.slice(askedBefore).map((r) => r.body.messages.at(-1)!.content);
    const cachedPrompts = [...seen].slice(0, cached);
    assert.equal(resumed.filter((c) => cachedPrompts.includes(c)).length, 0, 'no answer cached before the kill is asked again');
    assert.equal(await cacheEntries(tmp.dir), est.chunks, 'every chunk answered once');
    assert.ok(resumed.length <= est.chunks - cached + 1, `${resumed.length} requests after the kill for ${est.chunks - cached} missing answers (+1 cut by Ctrl-C)`);
    const done = await cli(tmp.dir, server, 'records', 'generate', '--yes');
    assert.match(done.stdout, /0 request\(s\)/);
  });
});
