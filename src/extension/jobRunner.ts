import * as vscode from 'vscode';
import { formatBytes, formatDuration, isCancellation, toBrightRunError, type Progress } from '../core';
import { Commands } from '../shared/commands';

/**
 * One runner for all background work: a cancellable notification with progress and ETA, the core operation
 * given an AbortSignal, errors logged in full and shown with their remedy and "Show Log", silence on cancel.
 */
export class JobRunner {
  constructor(private readonly log: vscode.LogOutputChannel) {}

  async run<T>(
    title: string,
    work: (signal: AbortSignal, report: (p: Progress) => void) => Promise<T>,
    options: { location?: vscode.ProgressLocation } = {},
  ): Promise<T | undefined> {
    const started = Date.now();
    this.log.info(`${title}: started`);
    try {
      const result = await vscode.window.withProgress(
        { location: options.location ?? vscode.ProgressLocation.Notification, title, cancellable: true },
        async (progress, token) => {
          const controller = new AbortController();
          const sub = token.onCancellationRequested(() => controller.abort());
          let lastFraction = 0;
          try {
            return await work(controller.signal, (p) => {
              const fraction = p.bytesTotal ? (p.bytesDone ?? 0) / p.bytesTotal : p.total ? p.done / p.total : 0;
              const increment = Math.max(0, fraction - lastFraction) * 100;
              lastFraction = Math.max(lastFraction, fraction);
              const eta = p.etaMs ? ` — about ${formatDuration(p.etaMs)} left` : '';
              // Bytes without a total (an export's output so far) are shown beside the count.
              const bytes = p.bytesDone !== undefined && !p.bytesTotal ? ` · ${formatBytes(p.bytesDone)}` : '';
              progress.report({ increment, message: `${p.done}/${p.total ?? '?'} ${p.unit}${bytes}${eta}` });
            });
          } finally {
            sub.dispose();
          }
        },
      );
      this.log.info(`${title}: finished in ${formatDuration(Date.now() - started)}`);
      return result;
    } catch (err) {
      if (isCancellation(err)) {
        this.log.info(`${title}: cancelled`);
        return undefined;
      }
      this.reportError(title, err);
      return undefined;
    }
  }

  /** Logs the detail and shows the one-line message with its remedy and a "Show Log" button. */
  reportError(context: string, err: unknown): void {
    const e = toBrightRunError(err);
    this.log.error(`${context}: [${e.code}] ${e.message}${e.file ? ` (${e.file})` : ''} — ${e.remedy}`, e.cause ?? '');
    void vscode.window.showErrorMessage(`${e.message} ${e.remedy}`, 'Show Log').then((choice) => {
      if (choice) void vscode.commands.executeCommand(Commands.showLog);
    });
  }
}
