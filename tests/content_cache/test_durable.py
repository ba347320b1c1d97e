"""content_cache.write_atomic: the project's one way to replace a small file."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from content_cache import write_atomic


def test_a_new_file_gets_the_umasks_mode_and_a_replaced_one_keeps_its_own(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "deep" / "folder" / "site.toml"
        write_atomic(target, b"a = 1\n")
        assert target.read_bytes() == b"a = 1\n"
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        target.chmod(0o640)
        write_atomic(target, b"a = 2\n")
        assert target.read_bytes() == b"a = 2\n"
        assert stat.S_IMODE(target.stat().st_mode) == 0o640
    finally:
        os.umask(old)
    assert [p.name for p in target.parent.iterdir()] == ["site.toml"]  # no temporary file left


def test_a_secret_has_its_mode_before_its_bytes_and_a_failed_write_leaves_the_old_file(tmp_path: Path,
                                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    token = tmp_path / "token"
    write_atomic(token, b"old", mode=0o600)
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    seen: list[int] = []
    real_fsync = os.fsync

    def fsync_then_fail(fd: int) -> None:
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        real_fsync(fd)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync_then_fail)
    with pytest.raises(OSError, match="No space"):
        write_atomic(token, b"new secret", mode=0o600)
    assert seen == [0o600]  # the new bytes were never in a file others could read
    assert token.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["token"]
