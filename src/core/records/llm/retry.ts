import { randomInt } from 'node:crypto';
import { cancelledError } from '../../errors';

/**
 * Retry timing for HTTP calls: `Retry-After` (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) and
 * exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015):
 * wait a uniformly random time in [0, min(cap, base × 2^attempt)).
 */

/**
 * Milliseconds to wait from a `Retry-After` value: delay-seconds (`"120"`) or an HTTP-date
 * (`"Wed, 21 Oct 2015 07:28:00 GMT"`, measured from `now`). Also reads OpenAI's `retry-after-ms`.
 * Undefined when absent or unreadable; a date in the past gives 0.
 */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  const ms = headers?.get('retry-after-ms')?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.ceil(Number(ms));
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Full-jitter backoff before retry number `attempt` (0 = the first retry), in ms. `random` returns [0, 1). */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = cryptoRandom): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

function cryptoRandom(): number {
  return randomInt(0, 2 ** 32) / 2 ** 32;
}

/** Waits `ms`, or rejects with CANCELLED as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(cancelledError());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
