import { BrightRunError } from '../../errors';

/**
 * Reading a format's options (ExportContext.options: the `<format>` object of a brightrun.json export profile,
 * schema-validated upstream): each writer states its defaults; a value of the wrong type or out of range is INVALID_ARGUMENT
 * naming the option, so a hand-edited config fails with a remedy instead of a crash deep in a writer.
 */
export function choiceOption<T extends string>(options: Readonly<Record<string, unknown>>, key: string, allowed: readonly T[], fallback: T): T {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalid(key, value, `one of ${allowed.join(', ')}`);
}

export function intOption(options: Readonly<Record<string, unknown>>, key: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw invalid(key, value, `a whole number from ${min} to ${max}`);
}

export function stringOption(options: Readonly<Record<string, unknown>>, key: string, fallback: string): string {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value === 'string') return value;
  throw invalid(key, value, 'a string');
}

function invalid(key: string, value: unknown, expected: string): BrightRunError {
  return new BrightRunError({ code: 'INVALID_ARGUMENT', message: `Export option "${key}" is ${JSON.stringify(value)}; it must be ${expected}.`, remedy: `Fix "${key}" in the export profile in brightrun.json ("exports").` });
}
