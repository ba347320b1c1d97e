"""Content sources benchmark: publishing a big agenda, and a refresh where nothing changed.

Run: python -m bench.sources_bench [--rounds N]

Builds an iCalendar agenda of 1,000 single events and 500 recurring ones (a third weekly,
a third every two weeks, a third monthly, with VTIMEZONE, EXDATEs and moved occurrences),
serves it — with the other kinds' fixtures (a WordPress feed, an Atom feed, OpenAgenda,
the Annuaire, SCDL menus, MeteoAlarm + CAP, vigilance, Vigicrues) — from a local web server
with ETags, and times:

- the first publish (every source fetched and parsed, the 90-day agenda expanded, the
  manifest validated and written);
- a refresh where nothing changed (every request conditional, 304s, nothing parsed, the
  same version: devices get a 304 too), with the number of requests;
- the every-minute alert path when nothing changed (``--alerts-only``).

Prints a table; numbers are relative to the machine they run on.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from tests.hub.sources.server import SourceServer
from tests.hub.sources.town import OPENAGENDA_KEY, write_town

AT = "2026-11-26T07:00:00Z"
SINGLE, RECURRING = 1000, 500
VTIMEZONE = ["BEGIN:VTIMEZONE", "TZID:Europe/Paris", "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
             "TZNAME:CEST", "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
             "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET", "DTSTART:19701025T030000",
             "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD", "END:VTIMEZONE"]


def big_agenda() -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//agenda//FR", "X-WR-CALNAME:Agenda (bench)",
             "X-WR-TIMEZONE:Europe/Paris", *VTIMEZONE]
    start = date(2026, 11, 26)
    for i in range(SINGLE):
        day = start + timedelta(days=i * 90 // SINGLE)
        lines += ["BEGIN:VEVENT", f"UID:single-{i}@bench", "DTSTAMP:20261101T090000Z",
                  f"DTSTART;TZID=Europe/Paris:{day:%Y%m%d}T{10 + i % 10:02d}0000",
                  f"DTEND;TZID=Europe/Paris:{day:%Y%m%d}T{11 + i % 10:02d}0000",
                  f"SUMMARY:Événement n°{i}", "LOCATION:Salle des fêtes",
                  f"DESCRIPTION:Description de l'événement {i}\\, entrée libre.", "END:VEVENT"]
    rules = ("FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2", "FREQ=MONTHLY")
    for i in range(RECURRING):
        first = date(2026, 1, 5) + timedelta(days=i % 28)
        lines += ["BEGIN:VEVENT", f"UID:recurring-{i}@bench", "DTSTAMP:20261101T090000Z",
                  f"DTSTART;TZID=Europe/Paris:{first:%Y%m%d}T180000", f"DTEND;TZID=Europe/Paris:{first:%Y%m%d}T193000",
                  f"RRULE:{rules[i % 3]}", f"SUMMARY:Atelier régulier n°{i}", "END:VEVENT"]
        if i % 10 == 0:  # an exception and a moved occurrence now and then
            skip = first + timedelta(days=7 * 50)
            lines.insert(-1, f"EXDATE;TZID=Europe/Paris:{skip:%Y%m%d}T180000")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def kiosk(*args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    env = {**os.environ, "KIOSK_TEST_OPENAGENDA_KEY": OPENAGENDA_KEY}
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, env=env, timeout=600)
    return time.perf_counter() - t0, r


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    agenda = big_agenda()
    rows: dict[str, list[float]] = {"first publish": [], "no-change refresh": [], "alerts-only, no change": []}
    requests: dict[str, str] = {}
    events = 0
    for _ in range(args.rounds):
        server = SourceServer()
        with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
            stack.callback(server.stop)
            src = write_town(Path(tmp), server)
            url = server.serve("/agenda/big.ics", agenda, "text/calendar; charset=utf-8")
            with (src / "sources.toml").open("a") as f:
                f.write(f'[[source]]\nid = "agenda-bench"\nkind = "ics"\nurl = "{url}"\nmax_events = 5000\n')
            tree = Path(tmp) / "www"
            for label, extra in (("first publish", ()), ("no-change refresh", ()),
                                 ("alerts-only, no change", ("--alerts-only",))):
                server.take_hits()
                seconds, r = kiosk("publish", str(src), str(tree), "--published-at", AT, *extra)
                if r.returncode != 0:
                    raise SystemExit(f"{label}: exit {r.returncode}\n{r.stderr}")
                hits = server.take_hits()
                rows[label].append(seconds)
                conditional = sum(1 for h in hits if h.conditional)
                not_modified = sum(1 for h in hits if h.status == 304)
                requests[label] = (f"{len(hits)} requests, {conditional} conditional, {not_modified} × 304; "
                                   f"{r.stdout.split(':')[0]}")
            manifest = json.loads((tree / "v1" / "manifest.json").read_bytes())
            events = len(manifest["kiosk"]["events"])
    print(f"agenda: {SINGLE} single events + {RECURRING} recurring (weekly / fortnightly / monthly) over 90 days "
          f"→ {events} agenda events published (with the other kinds' fixtures: 10 sources in all)")
    print(f"{'run':<26}{'median s':>10}{'min s':>8}  requests")
    for label, values in rows.items():
        print(f"{label:<26}{statistics.median(values):>10.2f}{min(values):>8.2f}  {requests[label]}")


if __name__ == "__main__":
    main()
