from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sync import ManifestError, manifest, parse_manifest, validate_document
from sync.manifest import MAX_MANIFEST_BYTES

from ..helpers import dumps, manifest_doc


@pytest.fixture(autouse=True, params=["jsonschema-rs", "jsonschema"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test here runs on both ways of validating: jsonschema-rs deciding (jsonschema
    wording what it refuses), and jsonschema alone (machines with no jsonschema-rs wheel)."""
    if request.param == "jsonschema":
        monkeypatch.setattr(manifest, "_fast_validator", lambda: None)
    elif manifest._fast_validator() is None:
        pytest.skip("jsonschema-rs is not installed on this machine")
    return request.param


def _problems(doc) -> list[str]:
    with pytest.raises(ManifestError) as exc:
        validate_document(doc)
    return exc.value.problems


def test_valid_manifest_parses_into_values() -> None:
    m = parse_manifest(dumps(manifest_doc()))
    assert m.version == "c1"
    assert m.media[0].size == 10 and m.media[0].mime_type == "image/png"
    assert m.published_at.isoformat() == "2026-11-26T07:00:00+00:00"


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda d: d["playlists"][0]["items"][0].update(duration=-5),
         "playlists[0].items[0].duration: -5 is less than or equal to the minimum of 0"),
        (lambda d: d["playlists"][0]["items"][0].update(duration="ten"),
         "playlists[0].items[0].duration: 'ten' is not of type number"),
        (lambda d: d["playlists"][0]["items"][0].update(duration=10**9),
         "playlists[0].items[0].duration: 1000000000 is greater than the maximum of 86400"),
        (lambda d: d["playlists"][0]["items"][0].update(id="../../etc/passwd"),
         "playlists[0].items[0].id: '../../etc/passwd' has an invalid format"),
        (lambda d: d["media"][0].update(sha256="/etc/passwd"),
         "media[0].sha256: '/etc/passwd' has an invalid format"),
        (lambda d: d["media"][0].update(sha256="md5:" + "a" * 32),
         "media[0].sha256: 'md5:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' has an invalid format"),
        (lambda d: d["site"].pop("timezone"), "site: missing required field 'timezone'"),
        (lambda d: d["site"].update(timezone="Mars/Olympus"), "site.timezone: unknown time zone 'Mars/Olympus'"),
        (lambda d: d["site"].update(default_playlist="hall"), "site.default_playlist: no playlist has id 'hall'"),
        (lambda d: d["playlists"][0]["items"][0].update(media="b" * 64),
         f"playlists[0].items[0].media: {'b' * 64} is not in the media list"),
        (lambda d: d["playlists"][0]["items"][0].update(type="video"),
         "playlists[0].items[0].media: a video item points to a image file"),
        (lambda d: d["playlists"][0]["items"][0].update(
            valid_from="2026-12-01T00:00:00Z", valid_until="2026-11-01T00:00:00Z"),
         "playlists[0].items[0].valid_until: 2026-11-01T00:00:00Z is not after valid_from 2026-12-01T00:00:00Z"),
        (lambda d: d.update(extra=1), "extra: unknown key"),
        (lambda d: d["playlists"][0]["items"][0].update(valid_unil="2027-01-01T00:00:00Z", priorty=2),
         "playlists[0].items[0].valid_unil: unknown key; did you mean 'valid_until'?"),
        (lambda d: d["playlists"][0]["items"][0].update(valid_unil="2027-01-01T00:00:00Z", priorty=2),
         "playlists[0].items[0].priorty: unknown key; did you mean 'priority'?"),
        (lambda d: d["site"].update(timezon=d["site"].pop("timezone")),
         "site.timezon: unknown key; did you mean 'timezone'?"),
        # JSON Schema's `$` is the end of the string, not also the place before a final newline
        (lambda d: d["media"][0].update(sha256="a" * 64 + "\n"),
         f"media[0].sha256: '{'a' * 56}... has an invalid format"),  # quoted values are cut at 60
        (lambda d: d["playlists"][0].update(id="lobby\n"), "playlists[0].id: 'lobby\\n' has an invalid format"),
    ],
)
def test_each_problem_is_one_line_naming_the_field(mutate, expected: str) -> None:
    doc = manifest_doc()
    mutate(doc)
    problems = _problems(doc)
    assert expected in problems
    assert all("\n" not in p for p in problems)


def test_all_problems_are_collected_at_once() -> None:
    doc = manifest_doc()
    doc["playlists"][0]["items"][0]["duration"] = 0
    doc["media"][0]["size"] = -1
    problems = _problems(doc)
    assert [p.split(":")[0] for p in problems] == ["media[0].size", "playlists[0].items[0].duration"]


@pytest.mark.parametrize(
    "body, expected",
    [
        (b"", "body is empty"),
        (b"{not json", "not JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[1, 2]", "not a JSON object"),
        (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
        (b" " * (MAX_MANIFEST_BYTES + 1), "over the"),
        (dumps(manifest_doc()).replace(b'"duration": 5', b'"duration": NaN'), "not JSON: NaN is not a JSON number"),
        (b'{"version": Infinity}', "not JSON: Infinity is not a JSON number"),
    ],
)
def test_bodies_that_are_not_manifests_are_rejected(body: bytes, expected: str) -> None:
    with pytest.raises(ManifestError) as exc:
        parse_manifest(body, source="http://x/v1/manifest.json")
    assert expected in str(exc.value)
    assert str(exc.value).startswith("http://x/v1/manifest.json: ")


def test_schema_file_is_itself_valid_json_schema() -> None:
    import jsonschema

    from sync.manifest import _validator, schema

    assert schema()["title"].startswith("Town kiosk")
    # the runtime skips this check (it cost every `sync --once` ~0.15 s): it lives here
    jsonschema.validators.validator_for(schema()).check_schema(schema())
    _validator()
    json.dumps(schema())


def test_a_value_jsonschema_rs_cannot_take_is_left_to_jsonschema(engine: str) -> None:
    # validate_document also checks documents built in Python (the publisher's, the sample's)
    from datetime import datetime

    doc = manifest_doc()
    doc["published_at"] = datetime(2026, 11, 26, 7)
    assert _problems(doc) == ['published_at: "datetime.datetime(2026, 11, 26, 7, 0)" is not of type string']


@pytest.mark.parametrize("engine", ["jsonschema-rs"], indirect=True)  # needs both
def test_where_the_two_disagree_the_stricter_answer_stands(
    engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jsonschema

    # jsonschema against an empty schema accepts anything: only jsonschema-rs refuses
    monkeypatch.setattr(manifest, "_validator", lambda: jsonschema.Draft202012Validator({}))
    doc = manifest_doc()
    doc["playlists"][0]["items"][0]["duration"] = -5
    assert _problems(doc) == ["playlists[0].items[0].duration: -5 is less than or equal to the minimum of 0"]


@pytest.mark.parametrize("engine", ["jsonschema-rs"], indirect=True)
def test_a_valid_manifest_is_checked_without_importing_jsonschema(engine: str) -> None:
    code = (
        "import sys\n"
        "from sync.manifest import parse_manifest\n"
        "from tests.helpers import dumps, manifest_doc\n"
        "parse_manifest(dumps(manifest_doc()))\n"
        "print('jsonschema' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "False"


def test_every_schema_pattern_anchors_its_end_only_where_jsonschema_is_told_of_it() -> None:
    # _validator() gives jsonschema ECMA-262's `$` (end of text) by rewriting a final `$`:
    # a `$` anywhere else in a pattern would keep Python's meaning there.
    def patterns(node: object) -> list[str]:
        if isinstance(node, dict):
            own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
            return own + [p for v in node.values() for p in patterns(v)]
        if isinstance(node, list):
            return [p for v in node for p in patterns(v)]
        return []

    found = patterns(manifest.schema())
    assert len(found) >= 8
    assert [p for p in found if "$" in p[:-1]] == []


def test_a_required_field_misspelt_is_said_once_as_the_typo() -> None:
    doc = manifest_doc()
    doc["site"]["timezon"] = doc["site"].pop("timezone")
    assert _problems(doc) == ["site.timezon: unknown key; did you mean 'timezone'?"]
