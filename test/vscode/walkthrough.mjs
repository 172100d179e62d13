// Issue #11 §7: how many clicks and seconds a new user needs, from a workspace holding only a folder of
// documents to a verified Hugging Face layout export, through the getting-started walkthrough — measured by
// driving the real workbench (code-server) as a user does: every mouse click and every Enter that confirms a
// choice is counted where it happens (typing into a box is not a click). Run by run.mjs; alone:
// `node test/vscode/walkthrough.mjs`; the extension is installed from the .vsix `npm run package` makes. Prints
// `WALKTHROUGH clicks=N seconds=S …` and writes test-results/walkthrough.json with each click.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const WALKTHROUGH = 'From documents to a verified dataset';
const STEP = (id) => `.getting-started-step[data-step-id$="#${id}"]`;

/**
 * Drives the walkthrough in `page` (a workbench opened on `ws`, whose only content is `ws/documents/`).
 * `opened`: how the walkthrough was opened — VS Code opens an extension's walkthrough by itself after it is
 * installed (`workbench.welcomePage.walkthroughs.openOnInstall`, default on), which a development host does not
 * do, so this opens it from the command palette and counts those clicks separately (`openClicks`).
 * Returns { clicks, openClicks, seconds, steps: [{ click, at }] , exportDir }.
 */
export async function measureWalkthrough(page, ws, { results, log = () => undefined } = {}) {
  const steps = [];
  let started = 0;
  const at = () => (started ? (Date.now() - started) / 1000 : 0);
  const count = (what) => {
    steps.push({ click: what, at: Number(at().toFixed(1)) });
    log(`  click ${steps.length}: ${what} (${at().toFixed(1)} s)`);
  };
  const shot = (name) => results && page.screenshot({ path: path.join(results, `walkthrough-${name}.png`) }).catch(() => undefined);
  const waitUntil = async (what, probe, ms = 180_000) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await probe()) return;
      await page.waitForTimeout(250);
    }
    await shot('timeout');
    // What the user would find under the bell: tells a toast that never came from one that went.
    console.log('toasts:', JSON.stringify(await page.locator('.notifications-toasts').innerText({ timeout: 1000 }).catch((e) => String(e))));
    await page.keyboard.press('F1');
    await page.keyboard.type('Notifications: Show Notifications');
    await page.waitForTimeout(600);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1000);
    console.log('center:', JSON.stringify(await page.locator('.notifications-center').innerText({ timeout: 1000 }).catch((e) => String(e))));
    await shot('center');
    throw new Error(`walkthrough: timed out waiting for ${what}`);
  };
  /** Clicks a walkthrough step's button, first opening the step (a click) when VS Code has not expanded it. */
  const stepButton = async (id, label) => {
    const step = page.locator(STEP(id));
    await step.waitFor({ state: 'visible', timeout: 20_000 });
    // A finished step moves the walkthrough on to the next unfinished one by itself; give it a moment.
    await page.waitForTimeout(700);
    if ((await step.getAttribute('aria-expanded')) !== 'true') {
      count(`open step "${(await step.locator('.step-title').first().innerText()).trim()}"`);
      await step.click();
      await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('aria-expanded') === 'true', STEP(id), { timeout: 10_000 });
    }
    const button = page.locator(`${STEP(id)} a.monaco-button`, { hasText: label }).first();
    await button.waitFor({ state: 'visible', timeout: 10_000 });
    count(`"${label}"`);
    await button.click();
  };
  const pickRow = async (text, what) => {
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();
    await row.waitFor({ state: 'visible', timeout: 20_000 }).catch(async (err) => {
      await shot('pick-failed');
      throw err;
    });
    await page.waitForTimeout(200);
    count(what);
    await row.click({ timeout: 20_000 }).catch(async (err) => {
      await shot('pick-failed');
      throw err;
    });
  };

  const toasts = () => page.locator('.notifications-toasts').innerText().catch(() => '');
  /** Clicks a button of the notification that contains `text` (the next step a finished job offers). */
  const toastButton = async (text, label) => {
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
    await waitUntil(`a notification "${text}"`, () => toast.isVisible().catch(() => false));
    const button = toast.locator('.monaco-button', { hasText: label }).first();
    await button.waitFor({ state: 'visible', timeout: 10_000 });
    count(`notification "${text}…": "${label}"`);
    await button.click();
  };

  // Open the walkthrough (counted apart: on a real install VS Code opens it itself).
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type('Welcome: Open Walkthrough');
  await page.waitForTimeout(600);
  count('palette: Welcome: Open Walkthrough… (Enter)');
  await page.keyboard.press('Enter');
  await pickRow(WALKTHROUGH, `pick "${WALKTHROUGH}"`);
  await page.locator(STEP('addDocuments')).waitFor({ state: 'visible', timeout: 20_000 });
  const openClicks = steps.length;
  started = Date.now();
  steps.length = 0;

  // 1. Add Documents…: the name box (no project yet) and the folder dialog.
  await stepButton('addDocuments', 'Add Documents');
  const nameBox = page.locator('.quick-input-widget input');
  await nameBox.waitFor({ state: 'visible', timeout: 20_000 });
  await page.waitForFunction(() => document.querySelector('.quick-input-widget .quick-input-title')?.textContent?.includes('Create Dataset Project'), null, { timeout: 20_000 });
  count('accept the proposed dataset name (Enter)');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.quick-input-widget .quick-input-title')?.textContent?.includes('Add Documents'), null, { timeout: 20_000 });
  await pickRow('documents', 'folder dialog: open "documents"');
  await page.waitForFunction(() => (document.querySelector('.quick-input-widget input')?.value ?? '').replace(/\/$/, '').endsWith('/documents'), null, { timeout: 20_000 });
  const add = page.locator('.quick-input-widget .monaco-button', { hasText: 'Add' }).first();
  count('folder dialog: "Add"');
  await add.click();
  await shot('added');

  // 2. Extraction starts by itself (brightrun.extract.autoStart); the batch's notification offers the next step.
  await toastButton('Extracted ', 'Build Records');
  await shot('extracted');
  await waitUntil('the records build', () => existsSync(path.join(ws, '.brightrun', 'records', 'manifest.json')));

  // 3. The build's notification offers the export: the project's default profile (Hugging Face layout + JSONL),
  // verified before it is published.
  const profile = JSON.parse(readFileSync(path.join(ws, 'brightrun.json'), 'utf8')).exports?.[0];
  if (!profile || !profile.formats.some((f) => f === 'hf' || f === 'huggingface')) throw new Error(`walkthrough: the new project's first export profile has no Hugging Face layout: ${JSON.stringify(profile)}`);
  await toastButton('Built ', 'Export Dataset');
  await pickRow(profile.name, `pick the export profile "${profile.name}"`);
  const exportDir = path.join(ws, 'exports', profile.name);
  await waitUntil('the export', () => existsSync(exportDir) && readdirSync(exportDir).some((v) => /^\d+\.\d+\.\d+$/.test(v) && existsSync(path.join(exportDir, v, 'manifest.json'))));
  const version = readdirSync(exportDir).find((v) => /^\d+\.\d+\.\d+$/.test(v));
  await shot('exported');

  // 4. Verify, from the export's notification: every file re-read against the manifest; "is valid" ends it.
  await toastButton(`Exported "${profile.name}" ${version}`, 'Verify');
  await waitUntil('"is valid"', async () => (await toasts()).includes(`${profile.name}/${version} is valid`));
  const seconds = at();
  await shot('verified');
  // The verified version holds a Hugging Face layout: a dataset card and Parquet shards under data/ (data/<kind>/ when
  // the build mixes record kinds: one config per kind).
  const files = JSON.parse(readFileSync(path.join(exportDir, version, 'manifest.json'), 'utf8')).files.map((f) => f.path);
  if (!files.some((f) => /(^|\/)README\.md$/.test(f)) || !files.some((f) => /(^|\/)data\/([a-z]+\/)?train-\d{5}-of-\d{5}\.parquet$/.test(f))) throw new Error(`walkthrough: no Hugging Face layout in ${exportDir}/${version}: ${files.join(', ')}`);
  const result = { clicks: steps.length, openClicks, seconds: Number(seconds.toFixed(1)), steps, export: `exports/${profile.name}/${version}` };
  if (results) writeFileSync(path.join(results, 'walkthrough.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`WALKTHROUGH clicks=${result.clicks} clicks_with_opening=${result.clicks + openClicks} seconds=${result.seconds} export=${result.export}`);
  return result;
}

/**
 * The extension as users get it: `npm run package` (scripts/package-vsix.mjs: production bundles plus the runtime
 * packages it loads by import()), so a package that lacks something the walkthrough uses fails here. Returns
 * the .vsix path.
 */
export function packageVsix(repo) {
  const out = execFileSync(process.execPath, [path.join(repo, 'scripts', 'package-vsix.mjs')], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] }).toString();
  const m = /^(artifacts\/\S+\.vsix):/m.exec(out);
  if (!m) throw new Error(`walkthrough: no .vsix reported by package-vsix.mjs:\n${out.slice(-2000)}`);
  return path.join(repo, m[1]);
}

/** A workspace holding only `documents/`: a copy of the README demo's samples. */
export function prepareWalkthroughWorkspace(repo, tmp) {
  const ws = path.join(tmp, 'ws-walkthrough');
  mkdirSync(ws, { recursive: true });
  cpSync(path.join(repo, 'samples'), path.join(ws, 'documents'), { recursive: true });
  return ws;
}

// Alone: its own code-server.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const { startCodeServer } = await import('./codeServer.mjs');
  const results = path.join(repo, 'test-results');
  mkdirSync(results, { recursive: true });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'brightrun-walkthrough-'));
  const ws = prepareWalkthroughWorkspace(repo, tmp);
  const log = (...a) => console.log('[walkthrough]', ...a);
  const { browser, workbenchUrl, stop } = await startCodeServer(repo, tmp, log, { smokeTestDriver: false, installed: packageVsix(repo) });
  let code = 0;
  try {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(workbenchUrl(ws, [['skipWelcome', 'true']]));
    await page.waitForSelector('.monaco-workbench .statusbar', { timeout: 90_000 });
    await page.waitForTimeout(2500);
    await measureWalkthrough(page, ws, { results, log });
  } catch (err) {
    console.error(err);
    code = 1;
  } finally {
    await stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  process.exit(code);
}
