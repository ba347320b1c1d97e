"""What most kinds share: one document at one URL, fetched conditionally."""
from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from .base import Context, FetchError, HttpGetter, Payload, SourceSpec, StoredAnswers


class OneUrlSource:
    """A source whose whole content is the answer at ``spec.url``.

    Subclasses set ``kind``, ``accept`` (media types) and ``what`` (for messages), and
    write ``parse``. On a 304 the stored body is parsed again only if the result depends on
    the time (``time_key``) — otherwise the stored result is used as it is.
    """

    kind: ClassVar[str] = ""
    alert: ClassVar[bool] = False
    accept: ClassVar[tuple[str, ...]] = ()
    what: ClassVar[str] = ""

    def __init__(self, spec: SourceSpec) -> None:
        self.spec = spec

    def request_headers(self) -> Mapping[str, str]:
        return {}

    def request_params(self) -> Mapping[str, str] | list[tuple[str, str]] | None:
        return None

    def fetch(self, fetcher: HttpGetter, state: StoredAnswers) -> Payload:
        url = self.spec.url
        previous = state.body()
        validators = state.validators(url) if previous is not None else None
        answer = fetcher.get(url, accept=self.accept, what=self.what, validators=validators,
                             params=self.request_params(), headers=self.request_headers(),
                             max_bytes=self.spec.max_bytes, timeout_s=self.spec.timeout_s)
        if answer.not_modified:
            if previous is None:
                raise FetchError("answered 304 Not Modified to a first request")
            return Payload(previous, not_modified=True, charset=state.charset(url))
        return Payload(answer.body, not_modified=False, charset=answer.charset,
                       validators=((url, answer.validators),))

    def time_key(self, ctx: Context) -> str:
        return ""
