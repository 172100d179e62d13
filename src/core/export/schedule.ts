import { BrightRunError } from '../errors';

/**
 * When scheduled exports run (the VS Code setting `brightrun.export.schedule`, docs/export.md): never, when the
 * records change (debounced; watch.ts watchRecords), at the start of every local hour, or once a day at a local
 * time. Pure functions of the clock, so the extension's scheduler holds no rule of its own.
 */
export type ExportSchedule = { kind: 'off' } | { kind: 'onRecordsChange' } | { kind: 'hourly' } | { kind: 'daily'; hour: number; minute: number };

export type ExportScheduleKind = ExportSchedule['kind'];

const HOUR_MS = 3_600_000;
const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/**
 * The schedule the settings describe: `kind` as `brightrun.export.schedule` spells it, `time` as
 * `brightrun.export.scheduleTime` ("HH:MM", 24-hour, local time; only read for "daily"). Throws CONFIG_INVALID
 * naming the setting for an unknown kind or a time that is not HH:MM.
 */
export function parseExportSchedule(kind: string, time = '03:00'): ExportSchedule {
  if (kind === 'off' || kind === 'onRecordsChange' || kind === 'hourly') return { kind };
  if (kind !== 'daily') {
    throw new BrightRunError({ code: 'CONFIG_INVALID', message: `The setting brightrun.export.schedule is "${kind}", which is not a schedule.`, remedy: 'Set it to "off", "onRecordsChange", "hourly" or "daily".' });
  }
  const m = TIME.exec(time.trim());
  if (!m) {
    throw new BrightRunError({ code: 'CONFIG_INVALID', message: `The setting brightrun.export.scheduleTime is "${time}", which is not a time of day.`, remedy: 'Write it as HH:MM in 24-hour local time, e.g. "03:00" or "18:30".' });
  }
  return { kind: 'daily', hour: Number(m[1]), minute: Number(m[2]) };
}

/**
 * The latest scheduled time at or before `now` (hourly: the start of the current local hour; daily: today's
 * HH:MM if it has passed, else yesterday's), or undefined for schedules without times (off, onRecordsChange).
 *
 * Local time and daylight saving time: an hour starts at a whole local hour of the offset in force at `now`, so
 * the hour that repeats when clocks go back is two slots (each real hour runs once) and the hour skipped when they
 * go forward is none. A daily time is the local date's HH:MM as the runtime resolves it (ECMA-262 LocalTime):
 * a time the clocks skip is run just after the change (02:30 on the night clocks jump from 02:00 to 03:00 is
 * 03:30), a time that occurs twice is its first occurrence, so a day has one slot either way.
 */
export function latestScheduledRun(schedule: ExportSchedule, now: Date): Date | undefined {
  if (schedule.kind === 'hourly') {
    const offsetMs = -now.getTimezoneOffset() * 60_000;
    return new Date(Math.floor((now.getTime() + offsetMs) / HOUR_MS) * HOUR_MS - offsetMs);
  }
  if (schedule.kind !== 'daily') return undefined;
  const today = dailyOn(schedule, now, 0);
  return today.getTime() <= now.getTime() ? today : dailyOn(schedule, now, -1);
}

/** The first scheduled time after `now`, or undefined for schedules without times. */
export function nextScheduledRun(schedule: ExportSchedule, now: Date): Date | undefined {
  if (schedule.kind === 'hourly') return new Date(latestScheduledRun(schedule, now)!.getTime() + HOUR_MS);
  if (schedule.kind !== 'daily') return undefined;
  const today = dailyOn(schedule, now, 0);
  return today.getTime() > now.getTime() ? today : dailyOn(schedule, now, 1);
}

/**
 * Whether a scheduled run is due at `now`: a scheduled time has passed since `since` — the last run, or, before
 * the first, when the schedule was turned on (so turning it on does not export at once). However many times were
 * missed (the editor was closed for a week), this says "due" once; after the run, `since` is the run's time.
 */
export function isScheduledRunDue(schedule: ExportSchedule, since: Date, now: Date): boolean {
  const latest = latestScheduledRun(schedule, now);
  return !!latest && latest.getTime() > since.getTime();
}

/** HH:MM on the local date `days` days from `now`'s (Date normalises month and year ends). */
function dailyOn(schedule: { hour: number; minute: number }, now: Date, days: number): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + days, schedule.hour, schedule.minute, 0, 0);
}
