from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config, parse_size


def test_a_complete_config_is_read_with_its_token_file(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("s3cret\n")
    (tmp_path / "token").chmod(0o600)
    cfg_file = tmp_path / "kiosk.toml"
    cfg_file.write_text(
        '[device]\nid = "totem-12"\n[api]\nurl = "https://contenu.valbruyere.fr/"\ntoken_file = "token"\n'
        '[sync]\ninterval = 120\nparallel_downloads = 2\n[cache]\nmax_bytes = "8G"\ndir = "/var/lib/kiosk"\n'
    )
    cfg = load_config(cfg_file)
    assert cfg.device.id == "totem-12" and cfg.api.url == "https://contenu.valbruyere.fr"
    assert cfg.api.token == "s3cret" and "s3cret" not in repr(cfg)
    assert (cfg.sync.interval, cfg.sync.parallel_downloads, cfg.cache.max_bytes) == (120.0, 2, 8 * 1024**3)


def test_every_problem_is_reported_at_once_with_suggestions(tmp_path: Path) -> None:
    cfg_file = tmp_path / "kiosk.toml"
    cfg_file.write_text(
        '[device]\nid = "Totem 12"\n[api]\nurl = "ftp://x"\ntoken_file = "missing"\n'
        '[sync]\nintervall = 60\nparallel_downloads = 99\n[cahce]\nmax_bytes = 1\n'
    )
    with pytest.raises(ConfigError) as exc:
        load_config(cfg_file)
    assert exc.value.problems == [
        "device.id: 'Totem 12' is not a device id (a-z, 0-9, '-', '_', up to 64)",
        "api.url: 'ftp://x' is not an http(s) URL",
        "sync.intervall: unknown key; did you mean 'interval'?",
        "sync.parallel_downloads: 99 is out of range 1..16",
        "cahce: unknown section; did you mean 'cache'?",
        f"api.token_file: cannot read {tmp_path / 'missing'} (No such file or directory)",
    ]


@pytest.mark.parametrize("text, expected", [("500M", 500 * 1024**2), ("1.5G", int(1.5 * 1024**3)), (4096, 4096)])
def test_sizes(text, expected) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("bad", ["lots", "-1G", 0, True])
def test_bad_sizes(bad) -> None:
    with pytest.raises(ValueError):
        parse_size(bad)


def test_display_dpi_and_physical_width_are_read(tmp_path: Path) -> None:
    cfg_file = tmp_path / "kiosk.toml"
    cfg_file.write_text('[display]\ndpi = 160\n')
    assert load_config(cfg_file).display.dpi == 160.0
    cfg_file.write_text('[display]\nwidth_mm = 476.6\n')
    cfg = load_config(cfg_file)
    assert (cfg.display.dpi, cfg.display.width_mm) == (None, 476.6)


@pytest.mark.parametrize("text, problem", [
    ('dpi = "high"', "display.dpi: 'high' is not a number"),
    ("dpi = 0", "display.dpi: 0 is out of range 40..1000"),
    ("dpi = 5000", "display.dpi: 5000 is out of range 40..1000"),
    ("width_mm = -3", "display.width_mm: -3 is out of range 40..10000"),
    ("dpi = 96\nwidth_mm = 500", "display.width_mm: give display.dpi or display.width_mm, not both"),
    ("dpl = 96", "display.dpl: unknown key; did you mean 'dpi'?"),
])
def test_a_bad_display_density_is_one_line_naming_the_key(tmp_path: Path, text: str, problem: str) -> None:
    cfg_file = tmp_path / "kiosk.toml"
    cfg_file.write_text(f"[display]\n{text}\n")
    with pytest.raises(ConfigError) as exc:
        load_config(cfg_file)
    assert exc.value.problems == [problem]


def test_player_tuning_switches_are_on_unless_the_config_says_otherwise(tmp_path: Path) -> None:
    cfg_file = tmp_path / "kiosk.toml"
    cfg_file.write_text("[device]\nid = \"totem-1\"\n")
    assert (load_config(cfg_file).player.frame_flush, load_config(cfg_file).player.heap_trim) == (True, True)
    cfg_file.write_text("[player]\nframe_flush = false\nheap_trim = false\n")
    assert (load_config(cfg_file).player.frame_flush, load_config(cfg_file).player.heap_trim) == (False, False)
    cfg_file.write_text("[player]\nheap_trim = 0\nframe_flsh = true\n")
    with pytest.raises(ConfigError) as exc:
        load_config(cfg_file)
    assert exc.value.problems == ["player.heap_trim: 0 is not true or false",
                                  "player.frame_flsh: unknown key; did you mean 'frame_flush'?"]
