"""kiosk.device.kivy_env: the trimmed copy of Kivy's default style the player starts with."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kiosk.device.kivy_env import STYLE_RULES, rule_classes, trim_style, trimmed_data_dir

REPO = Path(__file__).resolve().parents[2]

SAMPLE = """#:kivy 1.0

<Label>:
    canvas:
        Rectangle:
            texture: self.texture

<-Button,-ToggleButton>:
    state_image: self.background_normal
# a comment at the top level

[FileListEntry@FloatLayout+TreeViewNode]:
    locked: False
<Image,AsyncImage>:
    color: 1, 1, 1, 1
#:import kivy kivy
<Slider>:
    value: 0
"""


def test_trim_keeps_the_directives_and_the_named_rules_whole() -> None:
    out = trim_style(SAMPLE, frozenset({"Label", "Image"}))
    assert out.splitlines() == [
        "#:kivy 1.0", "", "<Label>:", "    canvas:", "        Rectangle:", "            texture: self.texture",
        "", "<Image,AsyncImage>:", "    color: 1, 1, 1, 1", "#:import kivy kivy",
    ]
    assert rule_classes("<-Button,-ToggleButton>:") == {"Button", "ToggleButton"}
    assert rule_classes("[FileListEntry@FloatLayout+TreeViewNode]:") == {"FileListEntry"}


def test_the_copy_is_made_once_and_links_the_rest_of_kivys_data(tmp_path: Path) -> None:
    first = trimmed_data_dir(tmp_path)
    assert first is not None and first.parent == tmp_path
    mtime = (first / "style.kv").stat().st_mtime_ns
    assert trimmed_data_dir(tmp_path) == first and (first / "style.kv").stat().st_mtime_ns == mtime
    assert (first / "glsl").is_symlink() and (first / "fonts" / "Roboto-Regular.ttf").is_file()
    headers = [line for line in (first / "style.kv").read_text().splitlines() if line.startswith("<")]
    assert set().union(*(rule_classes(h) for h in headers)) >= STYLE_RULES
    assert len(headers) == 7  # of Kivy's 74 rules


def test_no_copy_where_none_can_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "kivy"
    blocker.write_text("not a folder")
    assert trimmed_data_dir(blocker) is None  # Kivy then loads its whole style


# Every Kivy class the player's code and kv files build on: those of them with a rule in
# Kivy's full style.kv must be kept, or a widget would silently lose its drawing rules.
PROBE = r"""
import ast, json, os, re, sys
from pathlib import Path
os.environ.update(KIVY_NO_ARGS="1", KIVY_NO_CONFIG="1", KIVY_NO_FILELOG="1", SDL_VIDEODRIVER="offscreen")
repo = Path(sys.argv[1])
names = set()
for py in list((repo / "kiosk").rglob("*.py")) + list((repo / "player").rglob("*.py")):
    for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kivy.uix"):
            names |= {(node.module, a.name) for a in node.names}
kv_names = set()
for kv in (repo / "kiosk").rglob("*.kv"):
    for m in re.finditer(r"^\s*([A-Z]\w*):|[@+]([A-Z]\w*)", kv.read_text(encoding="utf-8"), re.M):
        kv_names.add(m.group(1) or m.group(2))
import importlib
from kivy.factory import Factory
from kivy.uix.widget import Widget
classes = [getattr(importlib.import_module(mod), name) for mod, name in sorted(names)]
for name in sorted(kv_names):
    try:
        cls = Factory.get(name)
    except Exception:
        continue  # the project's own classes, registered by its modules (scanned above)
    classes.append(cls)
used = {c.__name__ for cls in classes if isinstance(cls, type) for c in cls.__mro__ if c.__module__.startswith("kivy.")}
print(json.dumps(sorted(used)))
"""


def test_the_kept_rules_cover_every_kivy_class_the_player_builds_on() -> None:
    env = {k: v for k, v in os.environ.items() if k != "KIVY_DATA_DIR"}
    out = subprocess.run([sys.executable, "-c", PROBE, str(REPO)], capture_output=True, text=True,
                         env=env, check=True, timeout=120).stdout
    used = set(json.loads(out.strip().splitlines()[-1]))
    assert {"Label", "Image", "ScrollView", "Widget"} <= used  # the probe found the code's classes
    import importlib.util

    origin = importlib.util.find_spec("kivy").origin  # type: ignore[union-attr]
    full = (Path(origin).parent / "data" / "style.kv").read_text(encoding="utf-8")
    with_rules = set().union(*(rule_classes(line) for line in full.splitlines() if line[:1] in ("<", "[")))
    assert used & with_rules == STYLE_RULES
