"""A published tree served by a real nginx whose worker runs as ``nobody``, synced by the
real `kiosk sync --once`: the tree must be readable by another user (0644 files, 0755
folders under the usual umask), and nginx's ETag and Range must give 304 and 206."""
from __future__ import annotations

import os
import random
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from content_cache.store import MediaStore
from tests.helpers import write_source
from tests.nginx import NGINX, Nginx

pytestmark = pytest.mark.skipif(not NGINX.exists() or os.geteuid() != 0,
                                reason="needs Debian's nginx and root (to run its worker as nobody)")


def _kiosk(*args: str, umask: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=120,
                          preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder other users can traverse (pytest's tmp_path is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="kiosk-nginx-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _noise_png(path: Path, side: int = 700) -> None:
    rng = random.Random(17)
    Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3)).save(path, format="PNG")


def test_a_published_tree_is_served_by_nginx_as_another_user_and_synced(tmp_path: Path, shared_dir: Path) -> None:
    src = write_source(tmp_path / "src")
    tree = shared_dir / "tree"
    r = _kiosk("publish", str(src), str(tree), umask=0o022)
    assert r.returncode == 0, r.stderr

    # the umask's modes, so another user can read the tree (nginx, a USB key's reader)
    for path in [tree, *tree.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))
        assert path.stat().st_uid == 0  # owned by root: nobody reads it through "other"

    data = tmp_path / "device"
    with Nginx(tree, shared_dir / "nginx") as web:
        assert web.worker_users() == {"nobody"}
        first = _kiosk("sync", "--once", "--api", web.url, "--data", str(data))
        assert first.returncode == 0, first.stderr + web.error_log.read_text()
        assert first.stdout.startswith("sync updated: live version ")
        media = [(s, q) for s, q in web.requests() if "/v1/media/" in q]
        assert web.requests()[0] == (200, "GET /v1/manifest.json HTTP/1.1")
        assert len(media) == 3 and {s for s, _ in media} == {200}

        again = _kiosk("sync", "--once", "--api", web.url, "--data", str(data))
        assert again.returncode == 0, again.stderr
        assert again.stdout.startswith("sync unchanged: ")
        assert web.requests()[-1] == (304, "GET /v1/manifest.json HTTP/1.1")  # ETag → 304

        # a new version with a big picture, half of which a killed sync had fetched
        _noise_png(src / "media" / "big.png")
        with (src / "playlists" / "lobby.toml").open("a") as f:
            f.write('\n[[items]]\nid = "big"\ntype = "image"\nfile = "media/big.png"\nduration = 5\n')
        r = _kiosk("publish", str(src), str(tree), umask=0o022)
        assert r.returncode == 0, r.stderr
        body = (src / "media" / "big.png").read_bytes()
        import hashlib

        sha = hashlib.sha256(body).hexdigest()
        assert stat.S_IMODE((tree / "v1" / "media" / sha).stat().st_mode) == 0o644
        store = MediaStore(data / "cache" / "media")
        store.ensure()
        half = len(body) // 2
        store.partial_path(sha).write_bytes(body[:half])

        resumed = _kiosk("sync", "--once", "--api", web.url, "--data", str(data))
        assert resumed.returncode == 0, resumed.stderr
        assert resumed.stdout.startswith("sync updated: ")
        assert web.requests()[-2:] == [(200, "GET /v1/manifest.json HTTP/1.1"), (206, f"GET /v1/media/{sha} HTTP/1.1")]
        assert store.path_for(sha).read_bytes() == body

        # what an earlier publisher's 0600 gave: nginx's worker (nobody) may not read it
        (tree / "v1" / "manifest.json").chmod(0o600)
        blocked = _kiosk("sync", "--once", "--api", web.url, "--data", str(data))
        assert blocked.returncode == 3 and web.requests()[-1] == (403, "GET /v1/manifest.json HTTP/1.1")
