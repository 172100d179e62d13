// code-server (VS Code 1.139 in a browser) and Debian's headless Chromium via playwright-core, for the in-VS-Code
// tests (run.mjs) and the walkthrough measurement (walkthrough.mjs). Offline: tools come from setup-tools.sh's cache.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/**
 * Starts code-server on a random loopback port with its own user data, settings and extensions folders under
 * `tmp`, and a headless Chromium. Returns the URLs to open a folder with, and `stop()`. `smokeTestDriver` (default
 * true): the workbench's automation hooks, which the extension-host suite reports through — VS Code shows no
 * notification toasts while they are on, so a check that clicks notifications as a user does turns them off.
 * `installed`: the extension is installed in the extensions folder instead of loaded as a development extension
 * (which needs the automation hooks): a path to a .vsix (installed with `code-server --install-extension`), or
 * true for a link to this repository.
 */
export async function startCodeServer(repo, tmp, log, { smokeTestDriver = true, installed = false } = {}) {
  const tools = execFileSync('bash', [path.join(repo, 'test/vscode/setup-tools.sh')], { stdio: ['ignore', 'pipe', 'inherit'] }).toString().trim().split('\n').pop();
  const cs = path.join(tools, 'cs-4.139.1');
  const node24bin = path.join(tools, 'node24', 'node_modules', '.bin');
  const { chromium } = createRequire(path.join(cs, 'package.json'))('playwright-core');

  // Node 24 first on PATH (code-server's runtime), its config and data kept under tmp.
  const baseEnv = { ...process.env, PATH: `${node24bin}:${process.env.PATH}`, XDG_CONFIG_HOME: path.join(tmp, 'xdg'), XDG_DATA_HOME: path.join(tmp, 'xdg-data') };
  if (typeof installed === 'string') {
    // A .vsix, installed by code-server's own CLI, as a user installs a downloaded package.
    execFileSync(path.join(cs, 'node_modules', '.bin', 'code-server'), ['--install-extension', installed, '--extensions-dir', path.join(tmp, 'extensions'), '--user-data-dir', path.join(tmp, 'user-data')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: baseEnv,
    });
  } else if (installed) {
    const { publisher, name, version } = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
    mkdirSync(path.join(tmp, 'extensions'), { recursive: true });
    symlinkSync(repo, path.join(tmp, 'extensions', `${publisher}.${name}-${version}`), 'dir');
  }
  const port = 20000 + Math.floor(Number(process.hrtime.bigint() % 20000n));
  mkdirSync(path.join(tmp, 'user-data', 'User'), { recursive: true });
  writeFileSync(path.join(tmp, 'user-data', 'User', 'settings.json'), JSON.stringify({ 'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'chat.disableAIFeatures': true }));
  const server = spawn(path.join(cs, 'node_modules', '.bin', 'code-server'), [
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--config', path.join(tmp, 'config.yaml'), '--user-data-dir', path.join(tmp, 'user-data'), '--extensions-dir', path.join(tmp, 'extensions'),
  ], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...baseEnv, ...(smokeTestDriver ? { VSCODE_OPTIONS: '--enable-smoke-test-driver' } : {}) },
  });
  let serverLog = '';
  server.stdout.on('data', (d) => (serverLog += d));
  server.stderr.on('data', (d) => (serverLog += d));
  const stopServer = () => {
    try { process.kill(-server.pid, 'SIGTERM'); } catch { /* already gone */ }
  };
  process.on('exit', stopServer);

  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
    if (i > 300) throw new Error(`code-server did not start:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  log('code-server up on', base);

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const workbenchUrl = (folder, payload) => `${base}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return {
    browser,
    remote,
    workbenchUrl,
    async stop() {
      await browser.close().catch(() => undefined);
      stopServer();
    },
  };
}
