import { describe, expect, it } from "vitest";
import { cronInWords, describeInWords, dueTimes, epochToWallTime, nextRunsInWords, parseCron, relativeWords, scheduleRule, wallTimeToEpoch } from "./schedule-words";

const every = (e: "minutes" | "hours" | "days", interval: number, timeZone = "UTC") => ({ every: e, interval, timeZone });
const cron = (expr: string, timeZone = "UTC") => describeInWords({ every: "cron", interval: 1, cron: expr, timeZone });

describe("a schedule in words", () => {
  it("says intervals plainly, with the time zone", () => {
    expect(describeInWords(every("hours", 2, "Europe/Paris"))).toBe("Every 2 hours, in Europe/Paris");
    expect(describeInWords(every("hours", 1))).toBe("Every hour, in UTC");
    expect(describeInWords(every("minutes", 1))).toBe("Every minute, in UTC");
    expect(describeInWords(every("minutes", 15, "America/New_York"))).toBe("Every 15 minutes, in America/New_York");
    expect(describeInWords(every("days", 1, "Europe/Paris"))).toBe("Every day at 00:00, in Europe/Paris");
    expect(describeInWords(every("days", 3, "Europe/Paris"))).toBe("Every 3 days at 00:00 UTC, in Europe/Paris");
    expect(describeInWords(every("days", 3))).toBe("Every 3 days at 00:00, in UTC");
  });

  it("reads common cron expressions", () => {
    expect(cron("0 9 * * 1-5")).toBe("At 09:00 on weekdays (0 9 * * 1-5), in UTC");
    expect(cron("30 8 * * *", "Europe/Paris")).toBe("At 08:30 every day (30 8 * * *), in Europe/Paris");
    expect(cron("0 9,17 * * *")).toBe("At 09:00 and 17:00 every day (0 9,17 * * *), in UTC");
    expect(cron("*/15 * * * *")).toBe("Every 15 minutes (*/15 * * * *), in UTC");
    expect(cron("* * * * *")).toBe("Every minute (* * * * *), in UTC");
    expect(cron("0 * * * *")).toBe("Every hour, on the hour (0 * * * *), in UTC");
    expect(cron("15 * * * *")).toBe("Every hour at 15 minutes past (15 * * * *), in UTC");
    expect(cron("0 9-17 * * 1-5")).toBe("Every hour from 09:00 to 17:00 on weekdays (0 9-17 * * 1-5), in UTC");
    expect(cron("*/30 9-17 * * *")).toBe("Every 30 minutes from 09:00 to 17:30 (*/30 9-17 * * *), in UTC");
    expect(cron("0 */2 * * *")).toBe("Every 2 hours from 00:00 to 22:00 (0 */2 * * *), in UTC");
    expect(cron("0 0 1 * *")).toBe("At 00:00 on the 1st of every month (0 0 1 * *), in UTC");
    expect(cron("0 6 1,15 * *")).toBe("At 06:00 on the 1st and 15th of every month (0 6 1,15 * *), in UTC");
    expect(cron("0 0 1 1 *")).toBe("At 00:00 on the 1st of January (0 0 1 1 *), in UTC");
    expect(cron("0 9 * 7,8 *")).toBe("At 09:00 every day in July and August (0 9 * 7,8 *), in UTC");
    expect(cron("0 9 * * 0,6")).toBe("At 09:00 on weekends (0 9 * * 0,6), in UTC");
    expect(cron("0 9 * * MON")).toBe("At 09:00 on Mondays (0 9 * * MON), in UTC");
    expect(cron("5 4 * * sun")).toBe("At 04:05 on Sundays (5 4 * * sun), in UTC");
    expect(cron("0 0 * * 7")).toBe("At 00:00 on Sundays (0 0 * * 7), in UTC");
    expect(cron("0 9 * * 1,3,5")).toBe("At 09:00 on Mondays, Wednesdays and Fridays (0 9 * * 1,3,5), in UTC");
    expect(cron("0 9 * * 1-4")).toBe("At 09:00 from Monday to Thursday (0 9 * * 1-4), in UTC");
    expect(cron("0 8 * 3-10 1-5")).toBe("At 08:00 on weekdays in March to October (0 8 * 3-10 1-5), in UTC");
  });

  it("says both day fields must match, as Temporal does", () => {
    expect(cron("0 9 13 * 5")).toBe("At 09:00 on the 13th of every month, if it is a Friday (0 9 13 * 5), in UTC");
  });

  it("falls back to the expression itself beyond the common forms", () => {
    expect(cron("0 9 L * *")).toBe('On the cron schedule "0 9 L * *", in UTC');
    expect(cron("7,19,44 */5 * * *")).toBe('On the cron schedule "7,19,44 */5 * * *", in UTC');
    expect(cronInWords("@daily")).toBeNull();
  });

  it("parses cron fields as Temporal does (x/step runs to the field's end; 7 is Sunday)", () => {
    expect(parseCron("10/20 0 * * *")!.minute.values).toEqual([10, 30, 50]);
    expect(parseCron("0 0 * * 5-7")!.dayOfWeek.values).toEqual([0, 5, 6]);
    expect(parseCron("0 24 * * *")).toBeNull();
    expect(parseCron("0 0 * *")).toBeNull();
  });
});

describe("the next runs in words", () => {
  const now = Date.UTC(2024, 11, 3, 7, 0); // Tuesday 3 December 2024, 07:00 UTC

  it("gives day, date, time and how far off, in the schedule's time zone", () => {
    const times = [
      Date.UTC(2024, 11, 3, 9, 0),
      Date.UTC(2024, 11, 3, 7, 0, 30),
      Date.UTC(2024, 11, 3, 7, 1),
      Date.UTC(2024, 11, 3, 7, 45),
      Date.UTC(2024, 11, 3, 8, 0),
      Date.UTC(2024, 11, 4, 7, 0),
      Date.UTC(2024, 11, 6, 7, 0),
      Date.UTC(2025, 0, 2, 9, 0),
    ];
    expect(nextRunsInWords(times, now, "UTC")).toEqual([
      "Tue 3 Dec, 09:00 (in 2 hours)",
      "Tue 3 Dec, 07:00 (in 30 seconds)",
      "Tue 3 Dec, 07:01 (in 1 minute)",
      "Tue 3 Dec, 07:45 (in 45 minutes)",
      "Tue 3 Dec, 08:00 (in 1 hour)",
      "Wed 4 Dec, 07:00 (in 24 hours)",
      "Fri 6 Dec, 07:00 (in 3 days)",
      "Thu 2 Jan 2025, 09:00 (in 30 days)",
    ]);
    expect(relativeWords(now + 400, now)).toBe("now");
    expect(relativeWords(now - 125_000, now)).toBe("2 minutes ago");
    expect(nextRunsInWords([Date.UTC(2024, 11, 3, 9, 0)], now, "Europe/Paris")).toEqual(["Tue 3 Dec, 10:00 (in 2 hours)"]);
    expect(nextRunsInWords([Date.UTC(2024, 11, 3, 3, 0)], now, "America/New_York")).toEqual(["Mon 2 Dec, 22:00 (4 hours ago)"]);
  });
});

describe("the times a schedule was due", () => {
  it("counts intervals from the epoch, both ends included", () => {
    const rule = scheduleRule({ every: "minutes", interval: 1 });
    expect(dueTimes(rule, "UTC", Date.UTC(2024, 11, 3, 10, 0, 30), Date.UTC(2024, 11, 3, 10, 3), 100)).toEqual([
      Date.UTC(2024, 11, 3, 10, 1),
      Date.UTC(2024, 11, 3, 10, 2),
      Date.UTC(2024, 11, 3, 10, 3),
    ]);
    expect(dueTimes(rule, "UTC", 0, 3_600_000, 5)).toHaveLength(5);
    expect(dueTimes(scheduleRule({ every: "hours", interval: 6 }), "Europe/Paris", Date.UTC(2024, 11, 3, 0, 0), Date.UTC(2024, 11, 3, 23, 59), 100)).toEqual([
      Date.UTC(2024, 11, 3, 0),
      Date.UTC(2024, 11, 3, 6),
      Date.UTC(2024, 11, 3, 12),
      Date.UTC(2024, 11, 3, 18),
    ]);
  });

  it("follows a cron expression on the time zone's clock across a daylight saving change", () => {
    const rule = scheduleRule({ every: "cron", interval: 1, cron: "0 9 * * 1-5" });
    // Paris moved to summer time on Sunday 31 March 2024: 09:00 was 08:00 UTC before, 07:00 UTC after.
    expect(dueTimes(rule, "Europe/Paris", Date.UTC(2024, 2, 29, 0, 0), Date.UTC(2024, 3, 2, 23, 59), 100)).toEqual([
      Date.UTC(2024, 2, 29, 8),
      Date.UTC(2024, 3, 1, 7),
      Date.UTC(2024, 3, 2, 7),
    ]);
    // Every day is midnight on the zone's clock: New York left summer time on 3 November 2024.
    expect(dueTimes(scheduleRule({ every: "days", interval: 1 }), "America/New_York", Date.UTC(2024, 10, 2, 0), Date.UTC(2024, 10, 5, 0), 100)).toEqual([
      Date.UTC(2024, 10, 2, 4),
      Date.UTC(2024, 10, 3, 4),
      Date.UTC(2024, 10, 4, 5),
    ]);
    expect(dueTimes({ kind: "cron", cron: "0 9 L * *" }, "UTC", 0, 1, 10)).toBeNull();
  });

  it("converts datetime-local values on the schedule's clock", () => {
    expect(wallTimeToEpoch("2024-12-03T09:00", "Europe/Paris")).toBe(Date.UTC(2024, 11, 3, 8));
    expect(wallTimeToEpoch("2024-07-01T09:00", "America/New_York")).toBe(Date.UTC(2024, 6, 1, 13));
    expect(wallTimeToEpoch("yesterday", "UTC")).toBeNull();
    expect(epochToWallTime(Date.UTC(2024, 11, 3, 8), "Europe/Paris")).toBe("2024-12-03T09:00");
  });
});
