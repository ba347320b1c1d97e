"""One writer at a time: the cache's writer lock and the partial downloads' own locks,
held by real processes (released by the kernel when one is killed)."""
from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from content_cache import MediaStore, PartialBusy, WriterBusy, WriterLock, collect_partials

HOLD = r"""
import sys, time
from pathlib import Path
from content_cache import MediaStore, WriterLock
what, root = sys.argv[1], Path(sys.argv[2])
if what == "lock":
    WriterLock(root, "sync daemon").acquire()
else:
    part = MediaStore(root).partial(sys.argv[3], 1000)
    part.resume()
    part.write(b"x" * 10)
    part._file.flush()
print("held", flush=True)
time.sleep(60)
"""


def _holder(*args: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, *args], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_writer_is_told_who_holds_the_lock_and_gets_it_once_the_holder_is_killed(tmp_path: Path) -> None:
    holder = _holder("lock", str(tmp_path))
    try:
        t0 = time.monotonic()
        with pytest.raises(WriterBusy) as e:
            WriterLock(tmp_path, "sync --once").acquire(wait_s=0.3)
        assert time.monotonic() - t0 >= 0.3  # it waited as asked
        assert str(e.value) == f"another sync is running (pid {holder.pid}, sync daemon)"
        assert (e.value.pid, e.value.role) == (holder.pid, "sync daemon")
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        lock = WriterLock(tmp_path, "sync --once")
        lock.acquire()
        assert lock.holder()[1] == "sync --once"
        lock.release()
    finally:
        holder.kill()
        holder.wait()


def test_a_partial_download_being_written_is_never_appended_to_cut_or_collected(tmp_path: Path) -> None:
    sha = hashlib.sha256(b"anything").hexdigest()
    store = MediaStore(tmp_path)
    holder = _holder("part", str(tmp_path), sha)
    try:
        part = store.partial(sha, 1000)
        with pytest.raises(PartialBusy, match="being written by another process"):
            part.resume()
        with pytest.raises(PartialBusy):
            part.restart()  # not even truncated: the lock is taken before
        assert store.partial_path(sha).read_bytes() == b"x" * 10
        assert collect_partials(store, set(), time.time(), pressure=True).files == 0
        assert store.partial_path(sha).exists()
    finally:
        holder.kill()
        holder.wait()
    assert collect_partials(store, set(), time.time(), pressure=True).files == 1
    assert not store.partial_path(sha).exists()
