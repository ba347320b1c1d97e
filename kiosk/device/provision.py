"""`kiosk provision`: set a device up in one idempotent command.

It writes the config file (``/etc/kiosk/kiosk.toml``) with the keys given — keys not
given keep their current value — the API token in a file of its own (mode 0600, owned by
the service user), creates the data folder, and registers the device with the content
API when the server has that endpoint. Each change is one line on stdout; a run that
changes nothing prints ``nothing to change`` and rewrites no file (mtimes are kept).

What it writes is checked with :func:`kiosk.config.load_config` *before* anything is
written, so every problem is shown at once as ``section.key: problem`` and a bad run
leaves the device as it was. The token is never printed.
"""
from __future__ import annotations

import json
import logging
import os
import pwd
import socket
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from content_cache import write_atomic
from kiosk import __version__
from kiosk.config import DEFAULT_CONFIG, SCHEMA, Config, ConfigError, load_config, sync_settings
from kiosk.config.paths import SYSTEM_DATA_DIR

log = logging.getLogger(__name__)

TOKEN_NAME = "api-token"
REGISTRATION_STAMP = "registration.json"
NOT_SUPPORTED = {404, 405, 501}
HEADER = ("# Device configuration, written by `kiosk provision` (see docs/device.md).\n"
          "# Keys given to provision are replaced by its next run; other keys are kept,\n"
          "# comments are not.\n")


class ProvisionError(Exception):
    """Nothing was written; ``problems`` holds one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(problems[0])


@dataclass(frozen=True)
class Layout:
    """Where things go; ``root`` prefixes every system path (tests, image builds)."""

    root: Path = Path("/")
    config: Path = DEFAULT_CONFIG
    data_dir: Path = SYSTEM_DATA_DIR

    def on_disk(self, system_path: Path) -> Path:
        return self.root / system_path.relative_to("/") if system_path.is_absolute() else self.root / system_path

    @property
    def config_file(self) -> Path:
        # A relative --config names a file from where the technician stands (not from /,
        # nor under --root).
        return self.on_disk(self.config) if self.config.is_absolute() else Path.cwd() / self.config

    @property
    def token_file(self) -> Path:
        return self.config_file.parent / TOKEN_NAME


@dataclass(frozen=True)
class ProvisionRequest:
    """What the technician asked for. ``settings`` maps ``section.key`` to a value, or to
    None to remove the key; keys absent from it keep their current value."""

    settings: Mapping[str, Any]
    token: str | None = field(default=None, repr=False)
    service_user: str = "kiosk"
    register: bool = True


@dataclass(frozen=True)
class ProvisionResult:
    changes: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    registration_failed: bool = False


# -- TOML out ------------------------------------------------------------------------------
def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {v!r} to TOML")


def render_config(data: Mapping[str, Mapping[str, Any]]) -> str:
    """Sections and keys in the schema's order, so the same settings give the same bytes."""
    out = [HEADER]
    order = list(SCHEMA) + sorted(set(data) - set(SCHEMA))
    for section in order:
        table = data.get(section)
        if not table:
            continue
        keys = [k for k in SCHEMA.get(section, {}) if k in table] + sorted(set(table) - set(SCHEMA.get(section, {})))
        plain = [k for k in keys if not isinstance(table[k], Mapping)]
        out.append(f"\n[{section}]\n" + "".join(f"{k} = {_toml_value(table[k])}\n" for k in plain))
        for k in keys:
            if isinstance(table[k], Mapping) and table[k]:
                sub = table[k]
                out.append(f"\n[{section}.{k}]\n" + "".join(f"{sk} = {_toml_value(sub[sk])}\n" for sk in sub))
    return "".join(out)


def merge(current: Mapping[str, Mapping[str, Any]], settings: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    data = {s: dict(t) if isinstance(t, Mapping) else t for s, t in current.items()}
    for dotted, value in settings.items():
        section, key = dotted.split(".", 1)
        table = data.setdefault(section, {})
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value
        if not table:
            data.pop(section)
    return data


def describe_changes(path: Path, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    def flat(d: Mapping[str, Any]) -> dict[str, Any]:
        return {f"{s}.{k}": v for s, t in d.items() if isinstance(t, Mapping) for k, v in t.items()}

    a, b = flat(old), flat(new)
    sections = list(SCHEMA)

    def in_file_order(key: str) -> tuple[int, int, str]:
        section, name = key.split(".", 1)
        keys = list(SCHEMA.get(section, {}))
        return (sections.index(section) if section in sections else len(sections),
                keys.index(name) if name in keys else len(keys), key)

    lines = []
    for key in sorted({k for k in b if a.get(k, b[k]) != b[k] or k not in a} | (set(a) - set(b)), key=in_file_order):
        if key not in b:
            lines.append(f"{path}: {key} removed (was {_toml_value_safe(a[key])})")
        elif key in a:
            lines.append(f"{path}: {key} = {_toml_value_safe(b[key])} (was {_toml_value_safe(a[key])})")
        else:
            lines.append(f"{path}: {key} = {_toml_value_safe(b[key])} (new)")
    return lines


def _toml_value_safe(v: Any) -> str:
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + "}"
    return _toml_value(v)


# -- files ---------------------------------------------------------------------------------
def _service_ids(user: str) -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None  # only root can give a file away; a test or a user run keeps its own
    try:
        pw = pwd.getpwnam(user)
    except KeyError:
        return None
    return pw.pw_uid, pw.pw_gid


def write_if_changed(path: Path, content: bytes, mode: int, owner: tuple[int, int] | None = None) -> list[str]:
    """Atomically write ``content`` unless the file already holds it; fix mode and owner.

    Returns what changed (empty: the file, its mtime included, is untouched).
    """
    changes = []
    try:
        same = path.read_bytes() == content
    except FileNotFoundError:
        same, existed = False, False
    else:
        existed = True
    if not same:
        # the mode is set before the secret is written: never readable by others, not even briefly
        write_atomic(path, content, mode=mode, owner=owner)
        changes.append("written" if existed else "created")
    st = path.stat()
    if st.st_mode & 0o7777 != mode:
        os.chmod(path, mode)
        changes.append(f"mode {st.st_mode & 0o7777:04o} → {mode:04o}")
    if owner and (st.st_uid, st.st_gid) != owner:
        os.chown(path, *owner)
        changes.append("owner set to the service user")
    return changes


def ensure_dir(path: Path, mode: int, owner: tuple[int, int] | None) -> list[str]:
    changes = []
    if not path.is_dir():
        path.mkdir(parents=True, mode=mode)
        os.chmod(path, mode)  # mkdir's mode is filtered by the umask
        changes.append(f"{path}: created")
    if owner and (path.stat().st_uid, path.stat().st_gid) != owner:
        os.chown(path, *owner)
        changes.append(f"{path}: owner set to the service user")
    return changes


# -- the command ---------------------------------------------------------------------------
def read_current(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as e:
        raise ProvisionError([f"{path}: not valid TOML ({e}); fix or remove it first"]) from None


def validate(text: str, token: str | None, existing_token: Path, real_config: Path) -> None:
    """Check the config we are about to write with the real loader; all problems at once."""
    # The loader reads the token file too; the copy sits in a 0700 folder (mkdtemp).
    with tempfile.TemporaryDirectory(prefix="kiosk-provision-") as tmp:
        cfg = Path(tmp) / "kiosk.toml"
        cfg.write_text(text, encoding="utf-8")
        tok = Path(tmp) / TOKEN_NAME
        if token is not None:
            tok.touch(mode=0o600)  # as the real one will be (the loader warns about any other mode)
            tok.write_text(token + "\n", encoding="utf-8")
        elif existing_token.is_file():
            tok.touch(mode=0o600)
            tok.write_bytes(existing_token.read_bytes())
        try:
            load_config(cfg)
        except ConfigError as e:
            raise ProvisionError([
                f"{real_config}: {p.replace(str(tok), str(existing_token))}" for p in e.problems
            ]) from None


def provision(request: ProvisionRequest, layout: Layout = Layout()) -> ProvisionResult:
    """Apply ``request``; see the module docstring. Raises :class:`ProvisionError`."""
    config_file = layout.config_file
    current = read_current(config_file)
    settings = dict(request.settings)
    if request.token is not None:
        settings["api.token_file"] = TOKEN_NAME
        if not request.token.strip() or any(c.isspace() for c in request.token.strip()):
            raise ProvisionError(["api.token_file: the token given is empty or contains spaces"])
    settings.setdefault("cache.dir", current.get("cache", {}).get("dir", str(layout.data_dir)))
    new = merge(current, settings)
    text = render_config(new)
    token = request.token.strip() if request.token is not None else None
    validate(text, token, layout.token_file, config_file)

    owner = _service_ids(request.service_user)
    warnings = []
    if owner is None and os.geteuid() == 0:
        warnings.append(f"user {request.service_user} does not exist: files stay owned by root "
                        f"(create it, then run provision again)")
    changes: list[str] = []
    data_dir = layout.on_disk(Path(new["cache"]["dir"]))
    changes += ensure_dir(data_dir, 0o750, owner)
    if token is not None:
        changes += [f"{layout.token_file}: token {c} (mode 0600)" if c in ("written", "created")
                    else f"{layout.token_file}: {c}"
                    for c in write_if_changed(layout.token_file, (token + "\n").encode(), 0o600, owner)]
    elif layout.token_file.exists():
        changes += [f"{layout.token_file}: {c}" for c in _fix_mode_only(layout.token_file, owner)]
    if text.encode() != (config_file.read_bytes() if config_file.exists() else None):
        if not config_file.exists() or current != new:
            changes += describe_changes(config_file, current, new) or [f"{config_file}: rewritten"]
        else:
            changes.append(f"{config_file}: rewritten in the standard layout")
    write_if_changed(config_file, text.encode(), 0o644)

    failed = False
    if request.register and new.get("api", {}).get("url") and new.get("device", {}).get("id"):
        line, warning, failed = register(load_config(config_file), data_dir)
        changes += [line] if line else []
        warnings += [warning] if warning else []
    return ProvisionResult(tuple(changes), tuple(warnings), failed)


def _fix_mode_only(path: Path, owner: tuple[int, int] | None) -> list[str]:
    return write_if_changed(path, path.read_bytes(), 0o600, owner)


# -- registration --------------------------------------------------------------------------
def register(cfg: Config, data_dir: Path) -> tuple[str | None, str | None, bool]:
    """POST ``{device_id, software_version, hostname}`` to ``<api>/v1/devices/<id>/register``.

    Returns (change line, warning, failed). The outcome is remembered in the data folder;
    only a different outcome is a change, so a second identical run stays quiet.
    """
    import requests

    from sync import ContentApiClient

    body = {"device_id": cfg.device.id, "software_version": __version__, "hostname": socket.gethostname()}
    url = f"{cfg.api.url}/v1/devices/{cfg.device.id}/register"
    settings = sync_settings(cfg, connect_timeout_s=5.0, read_timeout_s=10.0)
    try:
        status = ContentApiClient(settings).post_json(url, body, {}).status_code
    except requests.RequestException as e:
        why = _reason(e)
        return None, f"register: cannot reach {url} ({why}); run provision again when the network is up", False
    if status in (200, 201, 204):
        outcome = "registered"
        line = f"registered with {cfg.api.url} as {cfg.device.id}"
    elif status in NOT_SUPPORTED:
        outcome = f"not supported ({status})"
        line = f"register: {cfg.api.url} does not support device registration (HTTP {status}); skipped"
    elif status in (401, 403):
        return None, f"register: {url}: HTTP {status}, the API token was refused (check api.token_file)", True
    else:
        return None, f"register: {url}: HTTP {status}; run provision again later", status < 500
    stamp = data_dir / REGISTRATION_STAMP
    record = json.dumps({**body, "api_url": cfg.api.url, "outcome": outcome}, sort_keys=True) + "\n"
    return (line if write_if_changed(stamp, record.encode(), 0o644) else None), None, False


def _reason(e: Exception) -> str:
    """A short cause: requests nests the socket error deep inside a long message."""
    cause: BaseException | None = e
    while cause is not None:
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
        cause = cause.__context__ or (cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None)
    return type(e).__name__
