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
