"""Answers (graph/answers.py): the shelf of precomputed answers, what it keeps, what it refuses."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from itskg.graph.answers import AnswerShelf, ExecResult, persist_enabled, persisting

KEY = ("named", "q", (("lang", "it"),), "json", None)


def _res(gen: str, **kw: object) -> ExecResult:
    return ExecResult(b'{"head": {}}', "application/sparql-results+json", "select",
                      generation=gen, rows=3, **kw)  # type: ignore[arg-type]


def test_an_answer_round_trips_with_its_metadata(tmp_path: Path) -> None:
    shelf = AnswerShelf(tmp_path)
    assert shelf.put("g1", KEY, _res("g1"))
    got = shelf.get("g1", KEY)
    assert isinstance(got, ExecResult)
    assert (got.body, got.media_type, got.form, got.rows, got.truncated, got.generation) == (
        b'{"head": {}}', "application/sparql-results+json", "select", 3, False, "g1")
    assert shelf.get("g1", (*KEY[:-1], 10)) is None  # another key
    assert shelf.get("g2", KEY) is None  # another generation


def test_what_cannot_be_kept_exactly_is_not_kept(tmp_path: Path) -> None:
    shelf = AnswerShelf(tmp_path)
    assert not shelf.put("g1", KEY, _res("g1", truncated=True))  # a cut answer
    assert not shelf.put("g1", KEY, _res("g0"))  # computed on another generation
    assert not shelf.put("g1", ("page", "x"), {"a": (1, 2)})  # JSON would make a list
    assert not shelf.put("g1", ("page", "y"), {1: "a"})  # JSON would make the key a string
    assert not shelf.put("g1", ("page", "z"), {1, 2})  # not JSON at all
    assert shelf.count("g1") == 0


def test_a_damaged_file_is_recomputed_not_served(tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    shelf = AnswerShelf(tmp_path)
    shelf.put("g1", ("page", "home"), {"n": 1})
    (f,) = shelf.folder("g1").iterdir()
    f.write_bytes(b"not json\n")
    with caplog.at_level(logging.WARNING):
        assert shelf.get("g1", ("page", "home")) is None
    assert "unreadable" in caplog.text


def test_answers_of_deleted_generations_are_collected(tmp_path: Path) -> None:
    shelf = AnswerShelf(tmp_path)
    for g in ("g1", "g2", "g3"):
        shelf.put(g, ("page", "home"), {"g": g})
    assert sorted(shelf.collect({"g2"})) == ["g1", "g3"]
    assert shelf.get("g2", ("page", "home")) == {"g": "g2"}
    assert not shelf.folder("g1").exists()


def test_a_full_disk_warns_once(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    shelf = AnswerShelf(tmp_path)

    def full(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with caplog.at_level(logging.WARNING):
        assert not shelf.put("g1", ("page", "a"), {"a": 1})
        assert not shelf.put("g1", ("page", "b"), {"b": 1})
    assert caplog.text.count("cannot keep precomputed answers") == 1
    assert not any(p.name.endswith(".tmp") for p in shelf.folder("g1").iterdir())


def test_persisting_is_scoped() -> None:
    assert not persist_enabled()
    with persisting():
        assert persist_enabled()
    assert not persist_enabled()
