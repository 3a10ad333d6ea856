// Expands an iCalendar feed with Mozilla's ical.js (what Thunderbird uses), for the tests.
// Reads the feed on stdin; prints [{uid, start, status}] for every occurrence starting in
// [FROM, TO) as JSON, starts in UTC (all-day events: their day). Time zones come only from the feed's own VTIMEZONEs
// (ical.js has no zone database), so a wrong VTIMEZONE shows as a wrong start, and a
// TZID without one is an error rather than a silent floating time.
//
//   node expand.mjs 2029-10-01T00:00:00Z 2031-05-01T00:00:00Z < feed.ics
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [from, to] = process.argv.slice(2).map((s) => Date.parse(s));
const calendar = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));

for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

function utcMillis(time) {
  if (!time.isDate && time.zone === ICAL.Timezone.localTimezone) {
    throw new Error(`floating time ${time.toString()}: no VTIMEZONE for its TZID`);
  }
  return time.toUnixTime() * 1000;
}

const byUid = new Map();
for (const vevent of calendar.getAllSubcomponents("vevent")) {
  const uid = vevent.getFirstPropertyValue("uid");
  if (!byUid.has(uid)) byUid.set(uid, { master: null, exceptions: [] });
  const entry = byUid.get(uid);
  if (vevent.hasProperty("recurrence-id")) entry.exceptions.push(vevent);
  else entry.master = vevent;
}

const out = [];
for (const [uid, { master, exceptions }] of byUid) {
  const event = new ICAL.Event(master);
  for (const exception of exceptions) event.relateException(exception);
  const iterator = event.iterator();
  for (let next = iterator.next(); next; next = iterator.next()) {
    const details = event.getOccurrenceDetails(next);
    const start = utcMillis(details.startDate);
    if (utcMillis(details.recurrenceId) >= to && start >= to) break;
    if (start >= from && start < to) {
      const status = details.item.component.getFirstPropertyValue("status") || "";
      const shown = details.startDate.isDate
        ? details.startDate.toString() // an all-day event: its day, 2030-04-02
        : new Date(start).toISOString().replace(".000Z", "Z");
      out.push({ uid, start: shown, status });
    }
    if (!event.isRecurring()) break;
  }
}
out.sort((a, b) => (a.start + a.uid).localeCompare(b.start + b.uid));
process.stdout.write(JSON.stringify(out));
