"""Finding and reading the files of an official ESCO CSV export.

ESCO ships one folder per language. Files that carry text (labels, descriptions) end in a
language suffix (``skills_en.csv``, ``skills_it.csv``); the relation files carry only IRIs and
come with (v1.2.0: ``skillSkillRelations_en.csv``) or without (v1.1.1:
``skillSkillRelations.csv``) a suffix. Both spellings are accepted.

``discover`` classifies every ``*.csv`` of the given folders into known kinds, picks one file
per kind and language (the first folder wins; later copies are *shadowed*), and lists what is
missing or unrecognised (the start of an :class:`EscoReport`). ``read_rows`` streams one file
with the csv module (multi-line quoted fields are normal in ESCO) and raises a located
:class:`DataError` on a broken file.

Row numbers in problems are the physical line where the record starts (the header is line 1),
which is what a text editor shows.
"""

from __future__ import annotations

import csv
import hashlib
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from itskg.graph.errors import DataError, Problem

__all__ = [
    "KINDS",
    "Discovery",
    "EscoFile",
    "EscoReport",
    "FileKind",
    "REQUIRED_KINDS",
    "discover",
    "fingerprint",
    "read_rows",
]

csv.field_size_limit(sys.maxsize)  # ESCO has fields > 128 KiB (hasTopConcept lists)


@dataclass(frozen=True)
class FileKind:
    """A known ESCO file: its stem, the columns we need, and whether it carries text."""

    stem: str
    kind: str
    required: tuple[str, ...]
    textual: bool = True  # carries labels, so it is per language
    order: int = 50  # processing order: concepts before collections before relations


_K = FileKind
KINDS: dict[str, FileKind] = {k.stem.lower(): k for k in (
    _K("conceptSchemes", "schemes", ("conceptSchemeUri",), order=0),
    _K("skills", "skills", ("conceptUri", "preferredLabel"), order=10),
    _K("occupations", "occupations", ("conceptUri", "preferredLabel"), order=11),
    _K("ISCOGroups", "isco_groups", ("conceptUri", "code"), order=12),
    _K("skillGroups", "skill_groups", ("conceptUri",), order=13),
    _K("digitalSkillsCollection", "collection", ("conceptUri",), order=20),
    _K("greenSkillsCollection", "collection", ("conceptUri",), order=20),
    _K("transversalSkillsCollection", "collection", ("conceptUri",), order=20),
    _K("languageSkillsCollection", "collection", ("conceptUri",), order=20),
    _K("digCompSkillsCollection", "collection", ("conceptUri",), order=20),
    _K("researchSkillsCollection", "collection", ("conceptUri",), order=20),
    _K("researchOccupationsCollection", "collection", ("conceptUri",), order=20),
    _K("skillsHierarchy", "hierarchy", ("Level 0 URI",), order=30),
    _K("broaderRelationsSkillPillar", "broader", ("conceptUri", "broaderUri"), False, 40),
    _K("broaderRelationsOccPillar", "broader", ("conceptUri", "broaderUri"), False, 40),
    _K("occupationSkillRelations", "occupation_skill",
       ("occupationUri", "relationType", "skillUri"), False, 41),
    _K("skillSkillRelations", "skill_skill",
       ("originalSkillUri", "relationType", "relatedSkillUri"), False, 42),
)}

REQUIRED_KINDS = ("skills", "occupations")
_NAME = re.compile(r"^(?P<stem>[A-Za-z]+)(?:_(?P<lang>[a-z]{2,3}(?:-[A-Za-z]{2,4})?))?\.csv$",
                   re.IGNORECASE)
_DIR_LANG = re.compile(r"_([a-z]{2,3})$", re.IGNORECASE)
_VERSION = re.compile(r"v?(\d+\.\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class EscoFile:
    """One recognised file: where it is, what it is, its language (None: language-neutral)."""

    path: Path
    kind: FileKind
    lang: str | None

    @property
    def name(self) -> str:
        """``folder/file.csv``: short, and unique across the folders of one import."""
        return f"{self.path.parent.name}/{self.path.name}"


@dataclass
class Discovery:
    """What ``discover`` found in the folders."""

    used: list[EscoFile] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    shadowed: list[str] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    version: str | None = None
    notes: list[str] = field(default_factory=list)

    def has(self, kind: str) -> bool:
        return any(f.kind.kind == kind for f in self.used)


@dataclass
class EscoReport:
    """What an ESCO import read, wrote and noticed."""

    dirs: list[str]
    version: str | None
    languages: list[str]
    found: list[str]
    used: list[str]
    shadowed: list[str]
    missing: list[str]
    unrecognised: list[str]
    rows: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    collections: dict[str, int] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    warning_counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    triples_written: int = 0
    triples_loaded: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """A short plain-text account for the CLI and logs."""
        out = [f"ESCO {self.version or '(version unknown)'}, languages: "
               f"{', '.join(self.languages) or '-'}; {len(self.used)} file(s) used, "
               f"{sum(self.rows.values())} rows, {self.triples_written} triples written"]
        out += [f"  {k}: {v}" for k, v in self.counts.items()]
        for label, items in (("missing", self.missing), ("shadowed", self.shadowed),
                             ("unrecognised", self.unrecognised)):
            if items:
                out.append(f"  {label}: {', '.join(items)}")
        out += [f"  note: {n}" for n in self.notes]
        for name, n in self.warning_counts.items():
            out.append(f"  {n} warning(s) in {name}")
        out += [f"  timing {k}: {v:.1f} s" for k, v in self.seconds.items()]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.summary()


def _folder_lang(folder: Path) -> str | None:
    m = _DIR_LANG.search(folder.name)
    return m.group(1).lower() if m else None


def discover(dirs: Sequence[Path]) -> Discovery:
    """Classify the CSV files of ``dirs``; raise DataError if a folder holds no ESCO file."""
    d = Discovery()
    chosen: dict[tuple[str, str | None], EscoFile] = {}
    versions: list[str] = []
    for folder in map(Path, dirs):
        if not folder.is_dir():
            raise DataError(
                f"ESCO folder {folder} does not exist or is not a folder. Pass the folder that "
                "holds the unzipped ESCO CSV export (skills_en.csv, occupations_en.csv, ...)."
            )
        if m := _VERSION.search(folder.name):
            versions.append(m.group(1))
        csvs = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
        known = 0
        for p in csvs:
            d.found.append(f"{folder.name}/{p.name}")
            m = _NAME.match(p.name)
            kind = KINDS.get(m.group("stem").lower()) if m else None
            if m is None or kind is None:
                d.unrecognised.append(f"{folder.name}/{p.name}")
                continue
            known += 1
            lang = None
            if kind.textual:
                lang = (m.group("lang") or _folder_lang(folder) or "en").lower()
                if not m.group("lang"):
                    d.notes.append(f"{folder.name}/{p.name}: no language suffix, read as '{lang}'")
            key = (kind.stem, lang)
            ef = EscoFile(p, kind, lang)
            if key in chosen:
                d.shadowed.append(f"{ef.name} (same kind and language as {chosen[key].name})")
                continue
            chosen[key] = ef
        if known == 0:
            names = ", ".join(p.name for p in csvs[:8]) or "no CSV files"
            raise DataError(
                f"{folder} holds no ESCO CSV file (found: {names}). Expected the files of the "
                "official ESCO CSV export, e.g. skills_en.csv, occupations_en.csv, "
                "ISCOGroups_en.csv, occupationSkillRelations.csv."
            )
    d.used = sorted(chosen.values(), key=lambda f: (f.kind.order, f.kind.stem, f.lang or ""))
    d.languages = sorted({f.lang for f in d.used if f.lang})
    if len(set(versions)) > 1:
        d.notes.append(f"folders of different ESCO versions mixed: {', '.join(versions)}")
    d.version = versions[0] if versions else None
    for kind in KINDS.values():
        langs = d.languages if kind.textual else [None]
        for lang in langs or ["en"]:
            if (kind.stem, lang) not in chosen:
                d.missing.append(f"{kind.stem}_{lang}.csv" if lang else f"{kind.stem}.csv")
    return d


def fingerprint(path: Path) -> tuple[str, int]:
    """SHA-256 of the file and its number of line breaks (an upper bound on its rows)."""
    h = hashlib.sha256()
    lines = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            lines += chunk.count(b"\n")
    return h.hexdigest(), lines


def _open_quote_column(path: Path, start_line: int, header: list[str]) -> str | None:
    """Name of the column whose quoted value is never closed, reading from ``start_line``."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for _ in range(start_line - 1):
            fh.readline()
        text = fh.read()
    col, in_q, at_start, i = 0, False, True, 0
    while i < len(text):
        c = text[i]
        if in_q:
            if c == '"':
                if i + 1 < len(text) and text[i + 1] == '"':
                    i += 1
                else:
                    in_q = False
        elif c == '"' and at_start:
            in_q = True
        elif c == ",":
            col += 1
            at_start = True
            i += 1
            continue
        elif c in "\r\n":
            col = 0
        at_start = c in "\r\n"
        i += 1
    if not in_q:
        return None
    return header[col] if col < len(header) else f"column {col + 1}"


def read_rows(ef: EscoFile) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line, row)`` for each record of ``ef``; missing trailing fields read as ''.

    Raises DataError (file, row, column) for a missing required column, a row with more fields
    than the header, or a quoted field that is never closed.
    """
    name = ef.name
    with ef.path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise DataError(f"{name} is empty; expected a CSV header line.",
                            [Problem("empty file", file=name, row=1)]) from None
        except csv.Error as err:
            raise DataError(f"{name}: the header line is not valid CSV.",
                            [Problem(str(err), file=name, row=1)]) from err
        header = [h.strip() for h in header]
        absent = [c for c in ef.kind.required if c not in header]
        if absent:
            raise DataError(
                f"{name} lacks the column(s) {', '.join(absent)}; nothing was written. "
                f"Its header is: {', '.join(header)}.",
                [Problem(f"required column '{c}' is missing from the header", file=name, row=1,
                         column=c) for c in absent],
            )
        width = len(header)
        prev = reader.line_num
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                start = prev + 1
                col = _open_quote_column(ef.path, start, header)
                what = (f"the quoted value of '{col}' is never closed" if col else str(err))
                raise DataError(
                    f"{name} is not valid CSV (record starting at line {start}): {what}. "
                    "The file may be truncated; download or unzip it again. Nothing was written.",
                    [Problem(f"{what} ({err})", file=name, row=start, column=col)],
                ) from err
            line = prev + 1
            prev = reader.line_num
            if len(values) > width:
                raise DataError(
                    f"{name}: the record at line {line} has {len(values)} fields but the header "
                    f"has {width}; nothing was written.",
                    [Problem(f"{len(values)} fields, header has {width}", file=name, row=line,
                             column=f"column {width + 1}")],
                )
            if len(values) < width:
                if values == [] or values == [""]:
                    continue  # blank line
                values = values + [""] * (width - len(values))
            yield line, dict(zip(header, values, strict=True))
