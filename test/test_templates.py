"""Template provenance: every override says why in its first line, records the stock template of the
pinned generator it was written on (templates/STOCK.sha256), differs from that stock, and the README's
table is the one the why-comments make."""
from __future__ import annotations

import pytest

from conftest import ROOT
from tools import templates

STOCK = templates.stock(templates.pinned_version())   # authored once per version into .cache/


@pytest.mark.parametrize("name", templates.overrides())
def test_every_template_starts_with_its_one_line_why_comment(name):
    kind, reason = templates.why(name)
    assert len(reason) > 20 and "\n" not in reason
    assert (kind == "Override") == (STOCK / name).exists(), "an override of stock says Override; a new file says New"


def test_each_overrides_recorded_stock_is_the_pinned_generators():
    recorded = templates.recorded_hashes()
    overridden = [name for name in templates.overrides() if (STOCK / name).exists()]
    assert sorted(recorded) == overridden, "templates/STOCK.sha256 lists exactly the overrides of stock templates"
    stale = [name for name in overridden if recorded[name] != templates.sha256(STOCK / name)]
    assert stale == [], "the pinned generator's stock changed under these overrides: re-merge them (make upgrade-generator)"


@pytest.mark.parametrize("name", [n for n in templates.overrides() if (STOCK / n).exists()])
def test_no_override_is_stock_once_its_why_comment_is_removed(name):
    assert templates.without_why((templates.TEMPLATES / name).read_text()) != (STOCK / name).read_text()


def test_the_readme_table_is_the_one_the_why_comments_make():
    readme = (ROOT / "README.md").read_text()
    assert templates.readme_with_table(readme) == readme


def test_a_missing_why_comment_is_caught(tmp_path, monkeypatch):
    (tmp_path / "rest.mustache").write_text("# no comment\n")
    monkeypatch.setattr(templates, "TEMPLATES", tmp_path)
    with pytest.raises(ValueError, match="why-comment"):
        templates.why("rest.mustache")
    assert templates.without_why("{{! Override: because. }}\nbody\n") == "body\n"


def test_template_diff_shows_each_override_against_stock(capsys):
    templates.diff("rest")
    out = capsys.readouterr().out
    assert out.startswith("--- stock/rest.mustache\n+++ templates/rest.mustache\n") and "+class EncodedBody:" in out
    templates.diff("events_doc")
    assert capsys.readouterr().out.startswith("new file (no stock counterpart): templates/events_doc.mustache")
