"""Five-field cron expressions (minute hour day-of-month month day-of-week; `*`, lists, ranges, `/step`; the
@hourly/@daily/@weekly/@monthly/@yearly shorthands), for a leaderboard schedule's next runs (UTC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_SHORTHANDS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_SEARCH_DAYS = 366 * 8  # a day-of-month + month that never meets (30 February) gives up after this


class CronError(ValueError):
    pass


def _field(text: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() else (1 if not step_text else 0)
        if step < 1:
            raise CronError(f"bad step in {part!r}")
        if span == "*":
            first, last = low, high
        elif "-" in span:
            a, _, b = span.partition("-")
            if not (a.isdigit() and b.isdigit()):
                raise CronError(f"bad range {span!r}")
            first, last = int(a), int(b)
        elif span.isdigit():
            first = int(span)
            last = high if step_text else first
        else:
            raise CronError(f"bad value {span!r}")
        if not low <= first <= last <= high:
            raise CronError(f"{span!r} is outside {low}-{high}")
        values.update(range(first, last + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday (7 is folded into 0)
    any_day: bool
    any_weekday: bool

    def _day_matches(self, day: datetime) -> bool:
        if day.month not in self.months:
            return False
        by_day = day.day in self.days
        by_weekday = (day.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:  # cron: both restricted → either may match
            return by_day and by_weekday
        return by_day or by_weekday

    def next_runs(self, after: datetime, count: int) -> list[datetime]:
        runs: list[datetime] = []
        moment = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = moment.replace(hour=0, minute=0)
        for _ in range(_SEARCH_DAYS):
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        run = day.replace(hour=hour, minute=minute)
                        if run >= moment:
                            runs.append(run)
                            if len(runs) == count:
                                return runs
            day += timedelta(days=1)
        return runs


def parse(expression: str) -> Cron:
    text = _SHORTHANDS.get(expression.strip().lower(), expression.strip())
    fields = text.split()
    if len(fields) != 5:
        raise CronError("a cron expression has five fields: minute hour day-of-month month day-of-week")
    parsed = [_field(f, low, high) for f, (low, high) in zip(fields, _BOUNDS, strict=True)]
    weekdays = frozenset(d % 7 for d in parsed[4])
    return Cron(parsed[0], parsed[1], parsed[2], parsed[3], weekdays, fields[2] == "*", fields[4] == "*")


def next_runs(expression: str, count: int, after: datetime | None = None) -> list[str]:
    """The next `count` runs as LootLocker writes times (ISO-8601, +00:00)."""
    start = after or datetime.now(UTC)
    return [run.isoformat() for run in parse(expression).next_runs(start, count)]
