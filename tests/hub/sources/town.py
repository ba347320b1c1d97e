"""A town for the sources' tests: a content folder, its sources.toml, and the providers
played by a SourceServer from fixtures in their real formats."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from ...helpers import write_source
from .server import FIXTURES, SourceServer

# Thursday 26 November 2026, 08:00 in Valbruyère: the fixtures' week.
NOW = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
OPENAGENDA_KEY = "oa-public-key-for-tests"

PATHS = {
    "rss": ("/feed/", "wordpress-rss.xml", "application/rss+xml; charset=UTF-8"),
    "atom": ("/actualites/atom.xml", "drupal-atom.xml", "application/atom+xml"),
    "ics": ("/agenda/agenda.ics", "agenda.ics", "text/calendar; charset=utf-8"),
    "annuaire": ("/api/explore/v2.1/catalog/datasets/api-lannuaire-administration/records",
                 "annuaire-87085.json", "application/json; charset=utf-8"),
    "scdl-menus": ("/menus/menus-scdl-1.2.1.csv", "menus-scdl-1.2.1.csv", "text/csv; charset=utf-8"),
    "cap": ("/feeds/meteoalarm-legacy-atom-france", "meteoalarm-france.atom", "application/atom+xml"),
    "meteofrance-vigilance": ("/public/DPVigilance/v1/cartevigilance/encours", "vigilance-encours.json",
                              "application/json"),
    "vigicrues": ("/services/1/InfoVigiCru.geojson", "vigicrues-infovigicru.geojson", "application/geo+json"),
    "open-meteo": ("/v1/forecast", "open-meteo-forecast.json", "application/json; charset=utf-8"),
}
OPTIONS = {
    "rss": 'ticker = true\nposter_playlist = "lobby"\ntags = ["actualite"]\n',
    "atom": "",
    "ics": "",
    "openagenda": 'agenda = "12345678"\nkey_env = "KIOSK_TEST_OPENAGENDA_KEY"\n',
    "annuaire": 'insee = "87085"\ntypes = ["mairie", "cpam"]\n',
    "scdl-menus": "",
    "cap": 'geocodes = ["FR087"]\n',
    "meteofrance-vigilance": 'departement = "87"\n',
    "vigicrues": 'sections = ["LO7", "LO8"]\n',
    "open-meteo": "latitude = 45.84\nlongitude = 1.26\n",
}
KINDS = tuple(OPTIONS)


def openagenda_api(server: SourceServer) -> str:
    pages = {name: (FIXTURES / f"openagenda-{name}.json").read_bytes().replace(b"http://127.0.0.1:PORT",
                                                                               server.url.encode())
             for name in ("page1", "page2", "probe")}

    def answer(query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, bytes]:
        if headers.get("key") != OPENAGENDA_KEY:
            return 403, json.dumps({"error": "invalid key"}).encode()
        if query.get("relative[]") != ["current", "upcoming"] or query.get("monolingual") != ["fr"]:
            return 400, b'{"error": "bad query"}'
        if query.get("size") == ["1"]:
            return 200, pages["probe"]
        return 200, pages["page2"] if "after[]" in query else pages["page1"]

    return server.serve_dynamic("/v2/agendas/12345678/events", answer, "application/json")


def serve_all(server: SourceServer) -> dict[str, str]:
    """Every provider on ``server``; returns each kind's URL."""
    urls = {kind: server.serve(path, fixture, ctype) for kind, (path, fixture, ctype) in PATHS.items()}
    urls["openagenda"] = openagenda_api(server).replace("12345678", "{agenda}")
    server.serve("/wp-content/uploads/2026/11/travaux-rue-haute.jpg", "travaux-rue-haute.jpg", "image/jpeg")
    server.serve("/oa-cdn/main/5c1e8a1b2f0e4b0c9e2a1f6d3c4b5a69.full.image.jpg", "openagenda-concert.jpg", "image/jpeg")
    server.serve("/api/v1/warnings/feeds-france/5a7c0f6e-2d1b-4b8a-9c3e-87wind/2026-11-26T05:45:00Z",
                 "cap-87-wind.xml", "application/cap+xml")
    return urls


def source_block(kind: str, url: str, sid: str | None = None, extra: str = "") -> str:
    return f'[[source]]\nid = "{sid or kind}"\nkind = "{kind}"\nurl = "{url}"\n{OPTIONS[kind]}{extra}\n'


def write_town(root: Path, server: SourceServer, kinds: tuple[str, ...] = KINDS, extra: str = "") -> Path:
    """A content folder whose sources.toml names ``kinds`` served by ``server``."""
    src = write_source(root / "contenu")
    urls = serve_all(server)
    (src / "sources.toml").write_text(
        "# The town's sources (tests)\n" + "".join(source_block(k, urls[k]) for k in kinds) + extra, encoding="utf-8")
    return src
