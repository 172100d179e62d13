import * as assert from 'node:assert/strict';
import { isScheduledRunDue, latestScheduledRun, nextScheduledRun, parseExportSchedule, type ExportSchedule } from '../../../src/core/export/schedule';

/** Runs the tests in a time zone with daylight saving time (Node applies a changed TZ at once). */
function inTimeZone(tz: string): void {
  let saved: string | undefined;
  before(() => {
    saved = process.env.TZ;
    process.env.TZ = tz;
  });
  after(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });
}

const utc = (iso: string) => new Date(iso);
const iso = (d: Date | undefined) => d?.toISOString();

describe('export schedule (pure)', () => {
  inTimeZone('Europe/Berlin');
  const hourly: ExportSchedule = { kind: 'hourly' };
  const daily = (time: string) => parseExportSchedule('daily', time);

  it('reads the settings: kinds, HH:MM, and clear errors naming the setting', () => {
    assert.deepEqual(parseExportSchedule('off'), { kind: 'off' });
    assert.deepEqual(parseExportSchedule('onRecordsChange'), { kind: 'onRecordsChange' });
    assert.deepEqual(parseExportSchedule('daily', '7:05'), { kind: 'daily', hour: 7, minute: 5 });
    assert.deepEqual(parseExportSchedule('daily', ' 23:59 '), { kind: 'daily', hour: 23, minute: 59 });
    assert.deepEqual(parseExportSchedule('daily'), { kind: 'daily', hour: 3, minute: 0 });
    assert.throws(() => parseExportSchedule('weekly'), (e: { code: string; message: string }) => e.code === 'CONFIG_INVALID' && e.message.includes('brightrun.export.schedule'));
    for (const bad of ['24:00', '12:60', 'noon', '1230', '']) {
      assert.throws(() => parseExportSchedule('daily', bad), (e: { code: string; message: string }) => e.code === 'CONFIG_INVALID' && e.message.includes('brightrun.export.scheduleTime'), bad);
    }
  });

  it('hourly: the start of the local hour, and the next one', () => {
    // 10:20 CET (UTC+1) on 14 Jan 2026.
    const now = utc('2026-01-14T09:20:00Z');
    assert.equal(iso(latestScheduledRun(hourly, now)), '2026-01-14T09:00:00.000Z');
    assert.equal(iso(nextScheduledRun(hourly, now)), '2026-01-14T10:00:00.000Z');
    assert.equal(iso(latestScheduledRun(hourly, utc('2026-01-14T09:00:00Z'))), '2026-01-14T09:00:00.000Z', 'a slot is due at its own instant');
  });

  it('daily: today at HH:MM once it has passed, else yesterday; the next is today or tomorrow', () => {
    const at = daily('09:30');
    // 10:00 CET: today's 09:30 CET (08:30Z) has passed.
    assert.equal(iso(latestScheduledRun(at, utc('2026-01-14T09:00:00Z'))), '2026-01-14T08:30:00.000Z');
    assert.equal(iso(nextScheduledRun(at, utc('2026-01-14T09:00:00Z'))), '2026-01-15T08:30:00.000Z');
    // 09:00 CET: not yet; the latest was yesterday's.
    assert.equal(iso(latestScheduledRun(at, utc('2026-01-14T08:00:00Z'))), '2026-01-13T08:30:00.000Z');
    assert.equal(iso(nextScheduledRun(at, utc('2026-01-14T08:00:00Z'))), '2026-01-14T08:30:00.000Z');
    // Across a month and a year end.
    assert.equal(iso(nextScheduledRun(at, utc('2026-12-31T12:00:00Z'))), '2027-01-01T08:30:00.000Z');
  });

  it('missed runs (the editor was closed for days) are due once at start-up, then not again until the next time', () => {
    const at = daily('09:30');
    const lastRun = utc('2026-01-10T08:30:05Z');
    const startup = utc('2026-01-14T07:00:00Z'); // 08:00 CET, four scheduled times missed
    assert.equal(isScheduledRunDue(at, lastRun, startup), true);
    assert.equal(isScheduledRunDue(at, startup, utc('2026-01-14T08:00:00Z')), false, 'after the catch-up run, nothing until 09:30');
    assert.equal(isScheduledRunDue(at, startup, utc('2026-01-14T08:30:00Z')), true, 'then at 09:30');
    assert.equal(isScheduledRunDue(hourly, utc('2026-01-14T09:00:10Z'), utc('2026-01-14T09:59:59Z')), false);
    assert.equal(isScheduledRunDue(hourly, utc('2026-01-14T09:00:10Z'), utc('2026-01-14T10:00:00Z')), true);
    assert.equal(isScheduledRunDue({ kind: 'onRecordsChange' }, lastRun, startup), false, 'onRecordsChange has no times');
    assert.equal(isScheduledRunDue({ kind: 'off' }, lastRun, startup), false);
    assert.equal(nextScheduledRun({ kind: 'off' }, startup), undefined);
  });

  it('daylight saving time, clocks forward (29 Mar 2026, 02:00 → 03:00 CEST): hours go on each real hour; a skipped daily time runs just after the change, once', () => {
    // 01:30 CET = 00:30Z; the next local hour is 03:00 CEST = 01:00Z (02:00 does not exist).
    assert.equal(iso(nextScheduledRun(hourly, utc('2026-03-29T00:30:00Z'))), '2026-03-29T01:00:00.000Z');
    assert.equal(iso(latestScheduledRun(hourly, utc('2026-03-29T01:30:00Z'))), '2026-03-29T01:00:00.000Z');
    assert.equal(iso(nextScheduledRun(hourly, utc('2026-03-29T01:30:00Z'))), '2026-03-29T02:00:00.000Z');
    const at = daily('02:30');
    const slot = nextScheduledRun(at, utc('2026-03-28T23:00:00Z'))!;
    assert.equal(iso(slot), '2026-03-29T01:30:00.000Z', '03:30 CEST');
    assert.equal(isScheduledRunDue(at, slot, utc('2026-03-29T21:00:00Z')), false, 'once that day');
    assert.equal(iso(nextScheduledRun(at, slot)), '2026-03-30T00:30:00.000Z', 'then 02:30 CEST the next day');
  });

  it('daylight saving time, clocks back (25 Oct 2026, 03:00 CEST → 02:00 CET): the repeated hour is two hourly runs; a daily time in it runs once', () => {
    // Local 02:00–03:00 happens twice: 00:00Z–01:00Z (CEST) and 01:00Z–02:00Z (CET).
    assert.equal(iso(latestScheduledRun(hourly, utc('2026-10-25T00:20:00Z'))), '2026-10-25T00:00:00.000Z');
    assert.equal(iso(nextScheduledRun(hourly, utc('2026-10-25T00:20:00Z'))), '2026-10-25T01:00:00.000Z');
    assert.equal(iso(latestScheduledRun(hourly, utc('2026-10-25T01:20:00Z'))), '2026-10-25T01:00:00.000Z');
    assert.equal(isScheduledRunDue(hourly, utc('2026-10-25T00:00:05Z'), utc('2026-10-25T01:00:00Z')), true, 'the second 02:00 is a new hour');
    const at = daily('02:30');
    const first = latestScheduledRun(at, utc('2026-10-25T00:40:00Z'))!;
    assert.equal(iso(first), '2026-10-25T00:30:00.000Z', 'the first 02:30 (CEST)');
    assert.equal(isScheduledRunDue(at, first, utc('2026-10-25T01:40:00Z')), false, 'not again at the second 02:30 (CET)');
    assert.equal(iso(nextScheduledRun(at, utc('2026-10-25T01:40:00Z'))), '2026-10-26T01:30:00.000Z', 'then 02:30 CET the next day');
  });
});
