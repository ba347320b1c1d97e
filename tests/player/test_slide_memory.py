"""What the slide renderers keep between slides is bounded by count, not by time.

Kivy's own image caches keep entries for 60 s: at a slide every 76 ms (the player
benchmark) that would be hundreds of textures. These checks show slides one after the
other without letting any time pass, in a headless Kivy (a subprocess: Kivy is configured
once per process).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from PIL import Image as PILImage
    from kiosk.device.kivy_env import prepare_kivy

    tmp = Path(sys.argv[1])
    prepare_kivy(tmp / "kivy", headless=True, fullscreen=False, size=(640, 360))
    from kivy.base import EventLoop
    from kivy.cache import Cache
    from kivy.core.image import Image as CoreImage
    from kivy.core.window import Window
    from content_cache import BulletinData, ItemData, LocalText, MediaRef
    from player.render import fitted_label, slides

    def frame():
        EventLoop.idle()

    out = {"limit": slides.KIVY_IMAGE_CACHE_LIMIT, "fitted_max": fitted_label.FITTED_MAX}
    # Slides shown one after the other: images (uncached) and bulletins (auto-fit); in
    # between, something else loads three new images through Kivy's caches each time.
    extra = []
    for i in range(3 * 120):
        p = tmp / f"cached-{i}.png"
        PILImage.new("RGB", (16, 9), (i % 256, 100, 200)).save(p)
        extra.append(str(p))
    posters = []
    for i in range(4):
        p = tmp / f"poster-{i}.jpg"
        PILImage.new("RGB", (640, 360), (200, i * 40, 10)).save(p, quality=90)
        posters.append(MediaRef("%064x" % i, p, "image/jpeg", p.stat().st_size, p.name))
    most = {c: 0 for c in slides.KIVY_IMAGE_CACHES}
    current = None
    for n in range(120):
        if n % 2:
            words = " ".join(["bulletin"] * (5 + n % 50))  # more distinct texts than the bound
            b = BulletinData(f"b{n}", "info", "info", LocalText.from_mapping({"fr": f"Titre {n} " + words}),
                             LocalText.from_mapping({"fr": words}))
            item = ItemData(id=f"b{n}", kind="bulletin", position=n, duration_s=10.0, bulletin=b)
        else:
            item = ItemData(id=f"i{n}", kind="image", position=n, duration_s=8.0, media=posters[n % 4],
                            caption=LocalText.from_mapping({"fr": f"Légende {n}"}))
        for path in extra[3 * n: 3 * n + 3]:
            CoreImage(path)
        slide = slides.build_slide(item, "fr", None, screen=(640, 360), derived_dir=tmp / "derived")
        for c in most:
            most[c] = max(most[c], len(Cache._objects[c]))
        Window.add_widget(slide)
        frame()
        if current is not None:
            Window.remove_widget(current)
            current.stop()
        current = slide
        frame()
    out["most_held"] = most
    out["textures_loaded_cached"] = len(extra)
    out["fitted"] = len(fitted_label._fitted)
    labels = [w for w in current.walk() if hasattr(w, "texture_size") and w is not current]
    out["last_body_fits"] = all(w.texture_size[1] <= w.height + 1 for w in labels)

    # The player's release after a slide change frees the slide that left the screen
    # (Kivy widgets reference themselves: only the cycle collector frees them).
    import gc, weakref
    from kiosk.app.heap_trim import heap_trimmer
    release = heap_trimmer()
    gc.disable()  # no automatic collection in between: only the release may free it
    old = slides.build_slide(ItemData(id="last", kind="image", position=0, duration_s=8.0, media=posters[0]),
                             "fr", None, screen=(640, 360), derived_dir=tmp / "derived")
    Window.add_widget(old)
    frame()
    Window.remove_widget(old)
    old.stop()
    frame()
    gone = weakref.ref(old)
    del old
    out["left_slide_alive_before_release"] = gone() is not None
    release()
    out["left_slide_alive_after_release"] = gone() is not None

    # What the player loads after its first frame is frozen out of the collector, and the
    # slide on screen then with it: when it leaves, it lets go of its pictures all the same.
    from kiosk.app.heap_trim import freeze_long_lived
    frozen = slides.build_slide(ItemData(id="frozen", kind="image", position=0, duration_s=8.0,
                                         media=posters[1]), "fr", None, screen=(640, 360),
                                derived_dir=tmp / "derived")
    Window.add_widget(frozen)
    frame()
    picture = weakref.ref(frozen.picture.texture)
    freeze_long_lived()
    Window.remove_widget(frozen)
    frozen.stop()
    frozen.let_go()
    frame()
    gone = weakref.ref(frozen)
    del frozen
    release()
    out["frozen_slide_alive_after_release"] = gone() is not None
    out["frozen_slide_picture_alive"] = picture() is not None
    print("RESULT " + json.dumps(out))
""")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp_path = tmp_path_factory.mktemp("slides")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["SDL_VIDEODRIVER"] = "offscreen"
    r = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=180)
    line = next((ln for ln in r.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert line, f"no result (exit {r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    return json.loads(line[len("RESULT "):])


def test_texture_caches_and_fitted_sizes_stay_bounded_by_count_over_many_slides(out: dict) -> None:
    # Kivy's image and texture caches never hold more than the player's bound when a
    # slide is built, however many images came through them and however little time passed.
    assert out["textures_loaded_cached"] == 360
    assert 0 < out["most_held"]["kv.image"] <= out["limit"]
    assert 0 < out["most_held"]["kv.texture"] <= out["limit"]
    # 60 bulletins with distinct texts: the remembered fitted sizes stay within their bound.
    assert 0 < out["fitted"] <= out["fitted_max"]
    assert out["last_body_fits"]


def test_a_slide_that_left_the_screen_is_freed_by_the_release_after_a_slide_change(out: dict) -> None:
    assert out["left_slide_alive_before_release"]  # why the player needs to collect
    assert not out["left_slide_alive_after_release"]


def test_a_slide_frozen_out_of_the_collector_lets_go_of_its_picture_when_it_leaves(out: dict) -> None:
    assert out["frozen_slide_alive_after_release"]  # frozen: never collected
    assert not out["frozen_slide_picture_alive"]  # but its screen-sized texture is gone
