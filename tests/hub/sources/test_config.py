"""sources.toml: every problem at once, one line each, with what was expected; a source with
a problem is left out and the others go on."""
from __future__ import annotations

from pathlib import Path

from hub.sources import SourcesRun

from ...helpers import write_source

BAD = '''
[[source]]
id = "actualites"
kind = "rss"
url = "https://www.valbruyere.example/feed/"
ticker_dayz = 5

[[source]]
id = "agenda"
kind = "openagenda"
agenda = "12345678"
key = "0123456789abcdef"

[[source]]
id = "meteo"
kind = "meteofrance-vigilence"
url = "https://example.org/vigilance.json"

[[source]]
id = "menus"
kind = "scdl-menus"
url = "ftp://example.org/menus.csv"
max_mb = 500

[[source]]
id = "Crues"
kind = "vigicrues"

[[source]]
id = "meteo-locale"
kind = "open-meteo"
latitude = "45.84"
longitude = 200

[[source]]
id = "ok"
kind = "ics"
url = "https://example.org/agenda.ics"
tags = ["culture"]

[opening_hours]
school_zone = "D"
'''


def test_every_problem_is_reported_at_once_with_what_was_expected(tmp_path: Path) -> None:
    src = write_source(tmp_path / "contenu")
    (src / "sources.toml").write_text(BAD, encoding="utf-8")
    run = SourcesRun(src, tmp_path / "state")
    assert list(run.config.problems) == [
        "sources.toml: opening_hours: school_zone: 'D' is not a school holiday zone (expected \"A\", \"B\" or \"C\")",
        "sources.toml: source \"actualites\": ticker_dayz: unknown key (did you mean 'ticker_days'?)",
        "sources.toml: source \"agenda\": key: a credential is never written in sources.toml "
        "(expected key_file = \"/path/to/file\" or key_env = \"VARIABLE\")",
        "sources.toml: source \"meteo\": kind: unknown kind 'meteofrance-vigilence' (did you mean "
        "'meteofrance-vigilance'?) (expected one of annuaire, atom, cap, ics, meteofrance-vigilance, open-meteo, "
        "openagenda, rss, scdl-menus, vigicrues)",
        "sources.toml: source \"menus\": url: 'ftp://example.org/menus.csv' is not a web address "
        "(expected an https:// or http:// address)",
        "sources.toml: source \"menus\": max_mb: 500 is out of range (expected 1 … 200 (megabytes))",
        "sources.toml: source \"Crues\": id: 'Crues' is not a valid id (expected a short name: lowercase letters, digits, - or _)",
        "sources.toml: source \"Crues\": sections: missing (expected section codes, e.g. [\"LO7\"] (vigicrues.gouv.fr))",
        "sources.toml: source \"meteo-locale\": latitude: '45.84' is not a number "
        "(expected the town's latitude in decimal degrees (WGS84), e.g. 45.83)",
        "sources.toml: source \"meteo-locale\": longitude: 200 is out of range "
        "(expected the town's longitude in decimal degrees (WGS84), e.g. 1.26)",
    ]
    assert [s.id for s in run.config.sources] == ["ok"]  # the good one still runs
    assert run.config.sources[0].tags == ("culture",)


def test_a_toml_syntax_error_is_one_line(tmp_path: Path) -> None:
    src = write_source(tmp_path / "contenu")
    (src / "sources.toml").write_text('[[source]]\nid = "x\n', encoding="utf-8")
    run = SourcesRun(src, tmp_path / "state")
    [line] = run.config.problems
    assert line.startswith("sources.toml: ") and line.endswith("(no source is read until it is fixed)")


def test_a_key_is_read_from_a_file_beside_the_sources(tmp_path: Path) -> None:
    src = write_source(tmp_path / "contenu")
    (tmp_path / "openagenda.key").write_text("secret-key\n")
    (src / "sources.toml").write_text('[[source]]\nid = "agenda"\nkind = "openagenda"\nagenda = "1"\n'
                                      'key_file = "../openagenda.key"\n')
    [spec] = SourcesRun(src, tmp_path / "state").config.sources
    assert spec.credential() == "secret-key"
    assert "secret" not in repr(spec.options)


def test_without_sources_toml_there_are_no_sources_and_no_state_folder(tmp_path: Path) -> None:
    src = write_source(tmp_path / "contenu")
    run = SourcesRun(src)
    run.fetch()
    assert not run.has_sources and run.outcomes == [] and run.problems == []
    assert not (tmp_path / "contenu.sources-state").exists()


def test_a_source_switched_off_is_neither_fetched_nor_published(tmp_path: Path) -> None:
    src = write_source(tmp_path / "contenu")
    (src / "sources.toml").write_text('[[source]]\nid = "off"\nkind = "ics"\nurl = "https://example.org/a.ics"\n'
                                      "enabled = false\n")
    run = SourcesRun(src, tmp_path / "state")
    run.fetch()
    assert run.config.sources == () and run.config.problems == () and run.outcomes == []
