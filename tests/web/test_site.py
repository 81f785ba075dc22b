"""The workbench's composition: each domain's part comes from its feature, its templates from its package."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from bot import registry
from bot.web.site import loader

ROOT = Path(__file__).resolve().parents[2]


def test_every_part_is_a_domains_and_in_domains_order() -> None:
    parts = registry.workbench()
    assert [p.name for p in parts] == [d for d in registry.DOMAINS if d in {p.name for p in parts}]
    assert all(p.package == f"handlers.{p.name}" for p in parts)
    assert {p.name for p in parts if p.ledgers} >= {"deeds", "care", "assist", "gatherings", "talent", "teams",
                                                    "surveys"}
    assert {p.name for p in parts if p.glance} == {"deeds", "care", "teams"}


def test_templates_are_found_in_their_domain_and_cannot_shadow_the_framework() -> None:
    env = jinja2.Environment(loader=loader(registry.workbench()))

    def where(name: str) -> Path:
        return Path(env.loader.get_source(env, name)[1] or "")  # type: ignore[union-attr]
    assert where("deeds/item.html") == ROOT / "handlers" / "deeds" / "templates" / "deeds" / "item.html"
    assert where("base.html") == ROOT / "bot" / "web" / "templates" / "base.html"
    with pytest.raises(jinja2.TemplateNotFound):
        where("deeds/../care/person.html")
    framework = {p.name for p in (ROOT / "bot" / "web" / "templates").iterdir() if p.is_dir()}
    assert framework.isdisjoint(registry.DOMAINS)  # a domain's templates live in its package
    for folder in (ROOT / "handlers").glob("*/templates/*"):
        assert folder.parent.parent.name == folder.name, folder  # handlers/<d>/templates/<d>/


def _recorded_actions() -> set[tuple[str, str]]:
    """``(action, object type)`` of every ``audit.record`` call with literal codes in the source."""
    import re

    call = re.compile(r'audit\.record\(\s*[^,]+,\s*[^,]+,\s*[^,]+,\s*"([a-z_]+)",\s*"([a-z_]+)"')
    found = set()
    for top in ("bot", "handlers", "storage", "schedules"):
        for path in (ROOT / top).rglob("*.py"):
            found |= set(call.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_audit_action_reads_in_chinese() -> None:
    from bot.web.auditwords import action_label, object_label
    from storage.assist import UpdateKind
    from storage.care import TaskStatus
    from storage.deeds import EventKind

    literal = _recorded_actions()
    assert len(literal) > 25  # the scan finds the calls
    composed = {(f"{kind}_{event}", kind) for kind in ("training", "activity")
                for event in ("created", "cancelled", "done", "signup", "signup_cancelled", "attendance")}
    composed |= {(f"item_{k}", "item") for k in EventKind} | {(f"project_{k}", "project") for k in UpdateKind}
    composed |= {(str(s), "visit_task") for s in TaskStatus} | {(a, "care_entry") for a in
                                                               ("proposed", "created", "accepted", "declined", "resolved")}
    composed |= {(a, "survey") for a in ("survey_created", "survey_published", "survey_closed", "survey_answer")}
    composed |= {("project_view", "project"), ("project_view_denied", "project"), ("hand_over", "item")}
    untranslated = sorted((a, o) for a, o in literal | composed
                          if action_label(a, o) == a or object_label(o) == o)
    assert untranslated == []
