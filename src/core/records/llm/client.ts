import OpenAI from 'openai';
import { BrightRunError, cancelledError } from '../../errors';
import { redactSecrets } from '../../secrets';
import { backoffMs, retryAfterMs, sleep } from './retry';

/**
 * One chat completion through an OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp server), with
 * our retry policy instead of the library's: `maxRetries: 0` on the client, then retries here on 408 / 409 /
 * 429 / 5xx / connection errors / time-outs, waiting `Retry-After` when the server sends it, else exponential
 * backoff with full jitter. Secrets never leave in messages (redactSecrets).
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. Default 5. */
  maxAttempts: number;
  /** Backoff base and cap, ms. Defaults 1,000 and 30,000. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After honoured, ms; a server asking for more fails the request. Default 120,000. */
  maxRetryAfterMs: number;
  /** Time-out of one attempt, ms. Default 120,000. */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000, maxRetryAfterMs: 120_000, timeoutMs: 120_000 };

export interface ChatRequest {
  model: string;
  messages: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>;
  temperature?: number;
  max_tokens?: number;
  seed?: number;
  response_format?: { type: 'json_object' };
}

export interface ChatReply {
  content: string;
  /** 'stop', 'length' (cut off at max_tokens), 'content_filter', … */
  finishReason: string | null;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface ChatClientOptions {
  baseURL: string;
  apiKey?: string;
  policy?: Partial<RetryPolicy>;
  /** [0, 1) — injectable for tests; defaults to crypto. */
  random?: () => number;
  /** Told before each wait: attempt number (1-based), ms, why. */
  onRetry?: (info: { attempt: number; waitMs: number; reason: string }) => void;
}

export class ChatClient {
  private readonly client: OpenAI;
  readonly policy: RetryPolicy;

  constructor(private readonly options: ChatClientOptions) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    // Local servers take no key; the library insists on one, and sends it as a Bearer header nobody checks.
    this.client = new OpenAI({ baseURL: options.baseURL, apiKey: options.apiKey || 'no-key', maxRetries: 0, timeout: this.policy.timeoutMs });
  }

  async complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatReply> {
    const p = this.policy;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw cancelledError();
      try {
        const res = await this.client.chat.completions.create({ ...request, stream: false }, { signal });
        const choice = res.choices?.[0];
        return { content: choice?.message?.content ?? '', finishReason: choice?.finish_reason ?? null, ...(res.usage ? { usage: res.usage } : {}) };
      } catch (err) {
        if (signal?.aborted || err instanceof OpenAI.APIUserAbortError) throw cancelledError();
        const verdict = classify(err);
        let wait = verdict.retryable ? backoffMs(attempt - 1, p.baseDelayMs, p.maxDelayMs, this.options.random) : 0;
        const asked = err instanceof OpenAI.APIError ? retryAfterMs(err.headers) : undefined;
        if (verdict.retryable && asked !== undefined) {
          if (asked > p.maxRetryAfterMs) throw this.failure(err, `${verdict.reason}; the server asks to wait ${Math.ceil(asked / 1000)} s`, 'Wait and run again (answers already received are kept), or raise records.generate.maxRetryAfterSeconds.');
          wait = asked;
        }
        if (!verdict.retryable || attempt >= p.maxAttempts) throw this.failure(err, verdict.retryable ? `${verdict.reason} after ${attempt} attempts` : verdict.reason, verdict.remedy);
        this.options.onRetry?.({ attempt, waitMs: wait, reason: verdict.reason });
        await sleep(wait, signal);
      }
    }
  }

  private failure(err: unknown, why: string, remedy: string): BrightRunError {
    const secrets = [this.options.apiKey];
    const detail = err instanceof Error ? err.message : String(err);
    const url = displayUrl(this.options.baseURL);
    return new BrightRunError({ code: 'LLM_REQUEST_FAILED', file: url, message: redactSecrets(`The chat-completions request to ${url} failed: ${why}.`, secrets), remedy, detail: redactSecrets(detail, secrets) });
  }
}

/** Whether a failed call is worth another attempt, and what to tell the user. */
function classify(err: unknown): { retryable: boolean; reason: string; remedy: string } {
  if (err instanceof OpenAI.APIConnectionTimeoutError) return { retryable: true, reason: 'it timed out', remedy: 'Check that the server is up and not overloaded, or raise records.generate.timeoutSeconds.' };
  if (err instanceof OpenAI.APIConnectionError) return { retryable: true, reason: 'the server could not be reached', remedy: 'Check records.generate.baseUrl (or OPENAI_BASE_URL) and that the server is running.' };
  if (err instanceof OpenAI.APIError) {
    const s = err.status ?? 0;
    if (s === 401 || s === 403) return { retryable: false, reason: `the server refused the key (HTTP ${s})`, remedy: 'Set a valid key: "Bright Run: Set API Token…" in VS Code, or OPENAI_API_KEY for the CLI.' };
    if (s === 404) return { retryable: false, reason: `the model or the endpoint was not found (HTTP 404${serverSaid(err)})`, remedy: 'Check records.generate.model and that baseUrl ends in /v1 (e.g. http://127.0.0.1:11434/v1 for Ollama).' };
    if (s === 408 || s === 409 || s === 429 || s >= 500) return { retryable: true, reason: `HTTP ${s}`, remedy: s === 429 ? 'The endpoint is rate-limiting: lower records.generate.concurrency, or wait and run again.' : 'The server is failing; try again later (answers already received are kept).' };
    return { retryable: false, reason: `HTTP ${s}${serverSaid(err)}`, remedy: 'Check the model name and parameters in records.generate (the server\'s answer is quoted above).' };
  }
  return { retryable: false, reason: err instanceof Error ? err.message : String(err), remedy: 'Show the log for details.' };
}

/** The server's own words of an HTTP error, cut to 300 characters, for the message: `: "model 'x' not found"`. */
function serverSaid(err: InstanceType<typeof OpenAI.APIError>): string {
  const said = (err.message ?? '').replace(/^\d{3}\s*/, '').trim();
  return said ? `: "${said.length > 300 ? said.slice(0, 300) + '…' : said}"` : '';
}

/** A URL for display: user name and password (`https://user:pass@host/`) left out. */
export function displayUrl(url: string): string {
  return url.replace(/^(\w+:\/\/)[^/@]*@/, '$1');
}

