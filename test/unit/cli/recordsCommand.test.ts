import * as assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/io';
import { RecordStore } from '../../../src/core/records/store';
import { startFakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { recordProject } from '../../support/recordProject';
import { useTempDir } from '../../support/tmp';

function fakeIO(cwd: string, env: NodeJS.ProcessEnv = {}, confirm?: (q: string) => Promise<boolean>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false, cwd, env, ...(confirm ? { confirm } : {}) };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

describe('CLI: records commands in-process (builders, problems, generate confirmation)', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  it('previews and builds every builder, lists skipped rows, shows instruction and chat records', async () => {
    const project = await recordProject(tmp.dir, { seeds: [51], pairs: true, records: { builders: ['chunk', 'instruction', 'chat', 'pairs'] } });
    const dry = fakeIO(tmp.dir);
    assert.equal(await runCli(['records', 'build', '--dry-run', '2'], dry.io), 0, dry.err());
    assert.match(dry.out(), /data\/qa\.csv — chunk: 0 record\(s\) \(a pairs document: set records\.pairs\.chunk to build these too\)/);
    assert.match(dry.out(), /data\/qa\.csv — pairs: 2 record\(s\)\n {2}\w{24} +\d+ tok {2}\w+ {2}row 2\n {6}"How is the pump primed/);
    assert.match(dry.out(), /! data\/qa\.csv row 3 \(pairs\): has no answer/);
    const built = fakeIO(tmp.dir);
    assert.equal(await runCli(['records', 'build'], built.io), 0, built.err());
    assert.match(built.out(), / {2}instruction +\d+ record\(s\) +\d+ tokens +1 document\(s\)/);
    assert.match(built.out(), / {2}pairs +3 record\(s\).*; 2 row\(s\) skipped/);
    assert.match(built.out(), /Problems \(2; all listed in \.brightrun\/records\/manifest\.json up to 1000\):\n {2}data\/chat\.jsonl row 3 \(pairs\): message 1 has role "tool"/);
    const stats = fakeIO(tmp.dir);
    assert.equal(await runCli(['records', 'stats'], stats.io), 0);
    assert.match(stats.out(), /by builder:\n {2}chunk .*\n {2}instruction .*\n {2}chat .*\n {2}pairs /);
    const records: Array<{ id: string; kind: string; lineage: { builder: string } }> = [];
    for await (const r of new RecordStore(project.paths.records).records()) records.push(r);
    const inst = records.find((r) => r.lineage.builder === 'instruction')!;
    const show = fakeIO(tmp.dir);
    assert.equal(await runCli(['records', 'show', inst.id], show.io), 0);
    assert.match(show.out(), /Record \w+ \(instruction, \d+ tokens, \w+\)[\s\S]*Builder instruction \w{16}[\s\S]*### Instruction\n[\s\S]*### Output\n/);
    const chat = records.find((r) => r.lineage.builder === 'chat')!;
    const showChat = fakeIO(tmp.dir);
    assert.equal(await runCli(['records', 'show', chat.id], showChat.io), 0);
    assert.match(showChat.out(), /### system\n[\s\S]*### user\n[\s\S]*### assistant\n/);
    const pair = records.find((r) => r.lineage.builder === 'pairs')!;
    const showPair = fakeIO(tmp.dir);
    assert.equal(await runCli(['records', 'show', pair.id], showPair.io), 0);
    assert.match(showPair.out(), /Source data\/\w+\.\w+ row \d+/);
  });

  it('generate: needs records.generate; asks before sending; a "no" sends nothing; JSON output', async () => {
    const server = await startFakeOpenAiServer();
    try {
      const project = await recordProject(tmp.dir, { seeds: [52], records: { builders: ['chunk'] } });
      const none = fakeIO(tmp.dir);
      assert.equal(await runCli(['records', 'generate', '--yes'], none.io), 1);
      assert.match(none.err(), /\[CONFIG_INVALID\] brightrun\.json has no `records\.generate` section/);
      await project.saveConfig({ ...project.config, records: { ...project.config.records, generate: { model: 'm', baseUrl: 'http://user:secret@127.0.0.1:9/v1', questionsPerChunk: 1 } } });
      const env = { OPENAI_API_KEY: 'sk-in-process-0123456789' };
      const refused = fakeIO(tmp.dir, env);
      assert.equal(await runCli(['records', 'generate', '--estimate-only'], refused.io), 1, 'a password in the URL is refused, never shown');
      assert.match(refused.err(), /\[CONFIG_INVALID\] The generation endpoint http:\/\/127\.0\.0\.1:9\/v1 is given with a user name or password/);
      assert.ok(!refused.err().includes('secret'));
      await project.saveConfig({ ...project.config, records: { ...project.config.records, generate: { model: 'm', baseUrl: 'http://127.0.0.1:9/v1', questionsPerChunk: 1 } } });
      const est = fakeIO(tmp.dir, env);
      assert.equal(await runCli(['records', 'generate', '--estimate-only'], est.io), 0);
      assert.match(est.out(), /Generation with m at http:\/\/127\.0\.0\.1:9\/v1:/);
      assert.match(est.out(), /cost unknown: set records\.generate\.price/);
      assert.ok(!est.out().includes('secret'));
      const questions: string[] = [];
      const no = fakeIO(tmp.dir, { ...env, OPENAI_BASE_URL: server.baseURL }, async (q) => (questions.push(q), false));
      assert.equal(await runCli(['records', 'generate'], no.io), 0);
      assert.deepEqual(questions, ['Start generating?']);
      assert.match(no.err(), /generation not started/);
      assert.equal(server.requests.length, 0);
      const yes = fakeIO(tmp.dir, { ...env, OPENAI_BASE_URL: server.baseURL }, async () => true);
      assert.equal(await runCli(['records', 'generate', '--json'], yes.io), 0, yes.err());
      const result = JSON.parse(yes.out());
      assert.ok(result.records > 0 && result.requests === server.requests.length);
      assert.match(yes.err(), /Run "brightrun records build" to merge them/);
    } finally {
      await server.close();
    }
  });
});
