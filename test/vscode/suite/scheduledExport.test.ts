// Runs after recordsExport.test.ts (files run sorted), on the records built there; builds its own when run alone.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ScheduledRun } from '../../../src/extension/export/exportScheduler';
import type { BrightRunApi } from '../../../src/extension/extension';
import { activeApi, ensureRecords, manual, waitFor } from './support';


const exists = (file: string) => fs.access(file).then(() => true, () => false);

describe('Scheduled export in VS Code', function () {
  this.timeout(240_000);
  const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  const configFile = path.join(root, 'brightrun.json');
  const name = `sched-${Date.now()}`;
  let api: BrightRunApi;
  let originalConfig: string;
  const settings = () => vscode.workspace.getConfiguration('brightrun');

  before(async () => {
    api = await activeApi();
    await ensureRecords(api, root, 'schedule-docs', { 'a.md': manual('Pumps', ['impeller', 'seal']) });
    // An export profile for the schedule, as a user adds it to brightrun.json.
    originalConfig = await fs.readFile(configFile, 'utf8');
    const config = JSON.parse(originalConfig) as { exports?: unknown[] };
    config.exports = [...(config.exports ?? []), { name, formats: ['jsonl', 'parquet'] }];
    await fs.writeFile(configFile, JSON.stringify(config, null, 2) + '\n');
    await waitFor('the profile read', async () => (await api.store.refresh(), api.store.project?.config.exports?.some((p) => p.name === name)));
  });

  after(async () => {
    await settings().update('export.schedule', undefined, vscode.ConfigurationTarget.Workspace);
    await settings().update('export.scheduleProfiles', undefined, vscode.ConfigurationTarget.Workspace);
    await fs.writeFile(configFile, originalConfig);
  });

  it('"onRecordsChange": a records build publishes a new version of the scheduled profile, which the Exports tree shows', async () => {
    await settings().update('export.scheduleProfiles', [name], vscode.ConfigurationTarget.Workspace);
    await settings().update('export.schedule', 'onRecordsChange', vscode.ConfigurationTarget.Workspace);
    // The setting applies without a reload.
    await waitFor('the schedule armed', () => api.exportScheduler.active === 'onRecordsChange', 15_000);
    assert.equal(await exists(path.join(root, 'exports', name)), false, 'turning the schedule on exports nothing by itself');

    await vscode.commands.executeCommand('brightrun.buildRecords');
    const manifestFile = path.join(root, 'exports', name, '1.0.0', 'manifest.json');
    await waitFor('the scheduled export published', () => exists(manifestFile), 120_000);
    const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as { name: string; parameters: { formats: string[] }; records: { build: string } };
    assert.equal(manifest.name, name);
    assert.deepEqual(manifest.parameters.formats, ['jsonl', 'parquet']);
    const records = api.store.state.kind === 'open' ? api.store.state.records.manifest : undefined;
    assert.equal(manifest.records.build, records?.build, 'it exported the build just published');
    await waitFor('the version in the Exports tree', () => api.exports.versions.some((v) => v.exportName === name && v.version === '1.0.0'), 15_000);
  });

  it('"Run Scheduled Exports Now" with nothing changed publishes nothing, and turning the schedule off disarms it', async () => {
    await waitFor('the scheduled run finished', () => !api.exportScheduler.busy, 60_000);
    const run = await vscode.commands.executeCommand<ScheduledRun>('brightrun.runScheduledExports');
    assert.equal(run.length, 1);
    assert.equal(run[0]!.profile, name);
    assert.equal(run[0]!.result?.status, 'unchanged');
    assert.equal(run[0]!.result?.version, '1.0.0');
    assert.deepEqual(await fs.readdir(path.join(root, 'exports', name)), ['1.0.0']);

    await settings().update('export.schedule', 'off', vscode.ConfigurationTarget.Workspace);
    await waitFor('the schedule off', () => api.exportScheduler.active === 'off', 15_000);
  });
});
