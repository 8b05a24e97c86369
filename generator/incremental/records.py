"""What the build state records, as plain values: every input file as a
build saw it, every file's parse, every output as it was written."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass

from generator.diagnostics import Diagnostic
from generator.incremental.codec import decode_article, encode_skeleton, skeleton_print
from generator.model import Skeleton
from generator.model import skeleton as skeleton_of
from generator.parse import ParsedArticle, UnpublishedLinks
from generator.plan import Address


@dataclass(frozen=True, slots=True)
class InputRecord:
    stat: tuple[int, int]  # (mtime_ns, size)
    digest: str  # sha256 of the bytes; "" when the stat alone proves nothing


class ParseEntry:
    """One file's parse result: its cache key, its problems and the
    article's skeleton at once; the article itself when first asked for
    (most builds need few of them whole). A file left unpublished for its
    errors has its ``links`` instead, to check them all the same."""

    __slots__ = (
        "_article",
        "_print",
        "_text",
        "body",
        "diagnostics",
        "key",
        "links",
        "skeleton",
    )

    def __init__(
        self,
        key: str,
        article: ParsedArticle | None,
        diagnostics: tuple[Diagnostic, ...],
        *,
        skeleton: Skeleton | None = None,
        body: str | None = None,
        text: str | None = None,
        links: UnpublishedLinks | None = None,
        skeleton_print: str | None = None,
    ) -> None:
        self.key = key  # ParseSettings.key(digest) of the parse
        self.diagnostics = diagnostics
        self.links = links
        self._article = article
        self._text = text  # the article as stored, until decoded
        if article is not None:
            skeleton = skeleton or skeleton_of(article)
            body = article.body.html.digest
        self.skeleton = skeleton  # None: no article (errors, or a draft left out)
        self.body = body  # the digest of the article's body
        self._print = skeleton_print

    @property
    def skeleton_print(self) -> str | None:
        """The fingerprint of the skeleton (``skeleton_print``); None
        without one."""
        if self._print is None and self.skeleton is not None:
            self._print = skeleton_print(encode_skeleton(self.skeleton))
        return self._print

    @property
    def article(self) -> ParsedArticle | None:
        if self._article is None and self._text is not None:
            self._article = decode_article(self._text)
            self._text = None
        return self._article


def skeletons_of(entries: Iterable[ParseEntry]) -> tuple[list[Skeleton], list[str]]:
    """The skeletons of published articles' entries, and their fingerprints."""
    skeletons, prints = [], []
    for entry in entries:
        skeleton, print_ = entry.skeleton, entry.skeleton_print
        assert skeleton is not None and print_ is not None  # published: an article
        skeletons.append(skeleton)
        prints.append(print_)
    return skeletons, prints


class OutputRecord:
    """One output in the dependency map: its signature, its input keys
    (``src:content/a.md``, ``layout:base.html``, ``config``), the stat and
    digest of its file as written, and where the plan made it. Read from the
    state, its input keys are decoded when first asked for."""

    __slots__ = ("_inputs", "address", "digest", "signature", "stat")

    def __init__(
        self,
        signature: str,
        inputs: tuple[str, ...] | str,
        stat: tuple[int, int] = (0, 0),
        digest: str = "",
        address: Address | None = None,
    ) -> None:
        self.signature = signature
        self._inputs = inputs  # a tuple, or the stored JSON text of one
        self.stat = stat  # (mtime_ns, size) of the file as written
        self.digest = digest  # of its bytes
        self.address = address  # (None: a copied file)

    @property
    def inputs(self) -> tuple[str, ...]:
        if isinstance(self._inputs, str):
            self._inputs = tuple(json.loads(self._inputs))
        return self._inputs

    def reads_any(self, keys: set[str], quoted: set[str]) -> bool:
        """Whether any of ``keys`` is an input. The stored inputs are decoded
        only when one of the keys, JSON-quoted (``quoted``), is in their text."""
        if isinstance(self._inputs, str):
            text = self._inputs
            if not any(q in text for q in quoted):
                return False
        return not keys.isdisjoint(self.inputs)

    def _fields(self) -> tuple[object, ...]:
        return (self.signature, self.inputs, self.stat, self.digest, self.address)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OutputRecord):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"OutputRecord{self._fields()!r}"

    def replace(self, *, stat: tuple[int, int], digest: str) -> OutputRecord:
        return OutputRecord(self.signature, self._inputs, stat, digest, self.address)


@dataclass(slots=True, kw_only=True)
class Summary:
    """What a build with nothing to do reports: the last build's counts and warnings."""

    articles: int = 0
    tags: int = 0
    pages: int = 0
    files: int = 0
    warnings: tuple[Diagnostic, ...] = ()
    scheduled: int = 0  # articles scheduled after the build time
    next_scheduled: tuple[tuple[str, dt.datetime], ...] = ()  # the first few: headline, time


# A file whose modification time is this close to when it was read may have
# changed again unseen: two saves within one tick of a file system's clock
# (FAT's is 2 s) leave the same stat.
RACY_NS = 2_000_000_000


def read_or_none(path: str | os.PathLike[str]) -> bytes | None:
    """A file's bytes; None when it cannot be read (it vanished, say)."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def stat_of(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageRecord:
    """One image under content/ as the last build processed it: its file
    (stat, digest of its bytes and when that was taken), the settings it
    was processed with (``key``), and what came of it: its size, each
    variant and link-preview crop with the file in the image cache that
    holds its bytes (``.digest/images/``), or why it cannot be published."""

    stat: tuple[int, int]
    digest: str
    seen: int  # time.time_ns() when the digest was taken
    key: str  # the image settings' fingerprint
    width: int
    height: int
    variants: tuple[tuple[int, int, str, str], ...]  # (width, height, format, cached file)
    og: tuple[tuple[str, int, int, str], ...]  # (focus key, width, height, cached file)
    problem: str | None

    def encode(self) -> str:
        return json.dumps(
            [
                list(self.stat),
                self.digest,
                self.seen,
                self.key,
                self.width,
                self.height,
                [list(v) for v in self.variants],
                [list(o) for o in self.og],
                self.problem,
            ]
        )

    @classmethod
    def decode(cls, text: str) -> ImageRecord:
        stat, digest, seen, key, width, height, variants, og, problem = json.loads(text)
        return cls(
            stat=(stat[0], stat[1]),
            digest=digest,
            seen=seen,
            key=key,
            width=width,
            height=height,
            variants=tuple((v[0], v[1], v[2], v[3]) for v in variants),
            og=tuple((o[0], o[1], o[2], o[3]) for o in og),
            problem=problem,
        )
