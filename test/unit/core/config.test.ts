import * as assert from 'node:assert/strict';
import { defaultConfig, parseConfig, PROJECT_FORMAT_VERSION, serializeConfig, toDatasetName, type BrightRunError } from '../../../src/core';

const FILE = '/ws/brightrun.json';

function expectError(text: string, code: string, message: RegExp, remedy?: RegExp): void {
  assert.throws(
    () => parseConfig(text, FILE),
    (e: BrightRunError) => {
      assert.equal(e.code, code);
      assert.equal(e.file, FILE);
      assert.match(e.message, message);
      if (remedy) assert.match(e.remedy, remedy);
      return true;
    },
  );
}

const withField = (patch: Record<string, unknown>) => JSON.stringify({ ...defaultConfig('ds'), ...patch });

describe('project config', () => {
  it('accepts the default config and round-trips it', () => {
    const config = defaultConfig('my-data');
    const parsed = parseConfig(serializeConfig(config), FILE);
    assert.deepEqual(parsed.config, config);
    assert.equal(parsed.migrated, false);
    assert.equal(config.formatVersion, PROJECT_FORMAT_VERSION);
  });

  it('accepts a minimal config', () => {
    assert.equal(parseConfig('{"formatVersion":1,"name":"x"}', FILE).config.name, 'x');
  });

  it('reports broken JSON with line and column', () => {
    expectError('{\n  "formatVersion": 1,\n  "name": "x",,\n}', 'CONFIG_INVALID_JSON', /line 3, column \d+/, /will not overwrite/);
  });

  it('rejects non-objects', () => {
    expectError('[1,2]', 'CONFIG_INVALID', /one JSON object/);
    expectError('null', 'CONFIG_INVALID', /one JSON object/);
  });

  it('rejects a missing or bad formatVersion with the value to set', () => {
    expectError('{"name":"x"}', 'CONFIG_INVALID', /formatVersion/, /"formatVersion": 1/);
    expectError('{"formatVersion":0,"name":"x"}', 'CONFIG_INVALID', /formatVersion/);
  });

  it('refuses a project written by a newer Bright Run', () => {
    expectError(`{"formatVersion":${PROJECT_FORMAT_VERSION + 1},"name":"x"}`, 'CONFIG_NEWER_FORMAT', /format 2/, /Update/);
  });

  it('names the missing field and what it means', () => {
    expectError('{"formatVersion":1}', 'CONFIG_INVALID', /`name` is missing/, /Add "name" — Dataset name/);
    expectError(withField({ splits: { train: 1, validation: 0 } }), 'CONFIG_INVALID', /`splits.test` is missing/, /Share of records for testing/);
  });

  it('names an unknown field and lists the known ones', () => {
    expectError(withField({ nmae: 'typo' }), 'CONFIG_INVALID', /`nmae` is not a known setting/, /known here: .*name/);
    expectError(withField({ records: { chunksize: 5 } }), 'CONFIG_INVALID', /`records.chunksize`/, /chunkSize/);
  });

  it('names a field with a wrong value, the value found and the fix', () => {
    expectError(withField({ splits: { train: 1.5, validation: 0, test: 0 } }), 'CONFIG_INVALID', /`splits.train` must be <= 1 \(found 1.5\)/, /between 0 and 1/);
    expectError(withField({ name: 'has space' }), 'CONFIG_INVALID', /`name` must match pattern/, /letters, digits/);
    expectError(withField({ exports: [{ name: 'a', formats: ['xml'] }] }), 'CONFIG_INVALID', /`exports\[0\].formats\[0\]` is "xml"/, /Use one of: "hf", "huggingface", "json"/);
    expectError(withField({ records: { template: 'poem', chunkSize: 'big' } }), 'CONFIG_INVALID', /and 1 more problem\b/);
  });

  it('checks rules that span fields', () => {
    expectError(withField({ splits: { train: 0.8, validation: 0.1, test: 0.2 } }), 'CONFIG_INVALID', /add up to 1.1/, /add up to 1/);
    expectError(withField({ records: { chunkSize: 100, chunkOverlap: 100 } }), 'CONFIG_INVALID', /chunkOverlap/);
    expectError(withField({ exports: [{ name: 'a', formats: ['json'] }, { name: 'a', formats: ['csv'] }] }), 'CONFIG_INVALID', /used twice/);
  });

  it('makes dataset names out of folder names', () => {
    assert.equal(toDatasetName('My Docs (2024)'), 'My-Docs-2024');
    assert.equal(toDatasetName('  --weird'), 'weird');
    assert.equal(toDatasetName('Ünïcödé'), 'Unicode');
    assert.equal(toDatasetName('日本語'), 'dataset');
    assert.equal(toDatasetName('a'.repeat(200)).length, 96);
  });
});
