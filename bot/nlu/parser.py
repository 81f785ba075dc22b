"""The message parser: extractors plus trained linear models."""
from __future__ import annotations

import datetime
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .dates import extract_due
from .features import Signals, featurize
from .holidays_cn import festival_day
from .model import ModelBundle
from .normalize import normalize, strip_emoji
from .persons import PersonFinder
from .refs import find_ref
from .rules import apply_rules
from .segment import DATA_DIR, Segmenter
from .types import Intent, Parse, ParseContext, Person
from .urgency import is_urgent

MODEL_PATH = DATA_DIR / "model.json"
UNSURE_SMALLTALK = 0.15  # below this margin a small-talk reading without a greeting is no reading at all
UNSURE_STATUS = 0.1  # likewise a progress or duty question with no number (labelled data: one misreading, no hit)
_QUERIES = (Intent.STATUS_QUERY.value, Intent.DUTY_QUERY.value)
# A request or care need read on a near tie with an incident is the incident: a missed incident (something going
# on now, nobody sent) costs more than a request answered as one; unless the sender says it can wait.
UNSURE_INCIDENT = 0.15
_TIE_TO_INCIDENT = (Intent.DEED_REQUEST.value, Intent.CARE_NEED.value)
_CAN_WAIT = re.compile(r"不急|不着急|不用急|不赶")
# Likewise an incident on a near tie with a request, of a failure that has lasted days ("黑屏好几天了") and is not
# urgent: the request to fix it.
_LASTING = re.compile(r"好几天|几天了|好多天|老是|总是|经常|半年|几个月|好久|三天两头")
SHORT, UNSURE_SHORT = 4, 0.05  # a reply this short read on a coin flip is left to its context
# A bare sign-up ("报名", "给我报个名", "算我一个"): which training or activity it means is the context's to say
# (bot.pending), however sure the words alone look: a reading of talent would answer with the talent help.
_BARE_SIGNUP = re.compile(r"^(?:我|给我|帮我)?(?:也)?(?:要|想)?(?:报名|报个名|报一个|参加|算我一个|加我一个)(?:吧|啊|哈|了)?[\s!！。.~～]*$")


@dataclass(frozen=True)
class Analysis:
    """Extractor output for one message, before classification."""

    text: str
    masked: str
    tokens: tuple[str, ...]
    persons: tuple[str, ...]
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...]
    unknown: tuple[str, ...]
    due: datetime.date | None
    ref: int | None
    urgent: bool
    features: tuple[str, ...]
    context: ParseContext
    addressed: tuple[str, ...] = ()


_PROGRESS = Intent.PROGRESS_REPORT.value
_STAFF_INTENTS = (_PROGRESS, Intent.VISIT_REPORT.value)
_POSITIVE_EMOJI = frozenset("👍🙏😊😄😃😁🥰❤👏💪🎉🌹🌷💐😀☺🤝✌👌")
_NEGATIVE_EMOJI = frozenset("😤😡😠👎😞😔😢😭💔😩😫🙄😒")


def _emoji_features(text: str) -> tuple[str, ...]:
    """Emoji are removed before the words are read; their tone is kept as a feature."""
    out = []
    if any(ch in _POSITIVE_EMOJI for ch in text):
        out.append("emoji:+")
    if any(ch in _NEGATIVE_EMOJI for ch in text):
        out.append("emoji:-")
    return tuple(out)


class Parser:
    """Turns one message into a :class:`Parse`."""

    def __init__(self, segmenter: Segmenter, model: ModelBundle | None) -> None:
        """Use :meth:`load` instead."""
        self._seg = segmenter
        self._model = model
        self._people: dict[str, Person] = {}
        # userids by zone member, (branch, team) and branch, each a dict used as a set (about half a set's
        # size: 15,000 groups of an enterprise took ~19 MB as sets, as much again frozen for the contexts);
        # frozen for a message's context when it is parsed (a few microseconds)
        self._zones: dict[str, dict[str, None]] = {}
        self._teams: dict[tuple[int | None, str], dict[str, None]] = {}
        self._branches: dict[int | None, dict[str, None]] = {}
        self._name_count: dict[str, int] = {}  # name -> how many people have it (the tokenizer knows it while > 0)
        self._finder = PersonFinder((), segmenter.is_common_word, segmenter.cut)

    @classmethod
    def load(cls, model_path: Path | None = None) -> Parser:
        """Load jieba, the domain dictionary and the trained model artefact.

        Args:
            model_path: Override for the model JSON (tests, training).

        Returns:
            A ready parser with an empty roster.
        """
        seg = Segmenter()
        path = model_path or MODEL_PATH
        model = ModelBundle.load(path) if path.exists() else None
        this_year = datetime.date.today().year
        for year in (this_year, this_year + 1):
            festival_day("spring", year)
        return cls(seg, model)

    def set_roster(self, people: Iterable[Person]) -> None:
        """(Re)load the whole roster; names are added to the tokenizer."""
        people = list(people)
        self._people = {}
        self._zones, self._teams, self._branches = {}, {}, {}
        self._name_count = {}
        self._seg.set_names(p.name for p in people)
        self._finder = PersonFinder((), self._seg.is_common_word, self._seg.cut)
        for p in people:
            self._unindex(p.userid)
            self._index(p, tokenizer=False)

    def update_roster(self, people: Iterable[Person], removed: Iterable[str] = ()) -> int:
        """Apply the people that changed (added, renamed, moved…) and those ``removed`` (userids), touching
        nobody else: a roster change costs what changed, not the whole roster. Returns how many changed."""
        changed = 0
        for p in people:
            if self._people.get(p.userid) != p:
                self._unindex(p.userid)
                self._index(p)
                changed += 1
        for userid in removed:
            if userid in self._people:
                self._unindex(userid)
                changed += 1
        return changed

    @property
    def roster_size(self) -> int:
        return len(self._people)

    def userids(self) -> list[str]:
        """Everyone the parser knows."""
        return list(self._people)

    def _index(self, p: Person, *, tokenizer: bool = True) -> None:
        # one copy of each role, team and zone string, not one per person read from the database
        p = Person(p.userid, p.name, p.role and sys.intern(p.role), p.team and sys.intern(p.team),
                   p.zone and sys.intern(p.zone), p.branch, p.grid_leader)
        self._people[p.userid] = p
        for group, key in self._groups(p):
            group.setdefault(key, {})[p.userid] = None  # type: ignore[attr-defined]
        count = self._name_count.get(p.name, 0)
        self._name_count[p.name] = count + 1
        if tokenizer and not count:
            self._seg.add_name(p.name)
        self._finder.add(p.userid, p.name)

    def _unindex(self, userid: str) -> None:
        p = self._people.pop(userid, None)
        if p is None:
            return
        for group, key in self._groups(p):
            members = group.get(key)  # type: ignore[attr-defined]
            if members is not None:
                members.pop(userid, None)
                if not members:
                    del group[key]  # type: ignore[attr-defined]
        count = self._name_count.get(p.name, 0) - 1
        if count > 0:
            self._name_count[p.name] = count
        else:
            self._name_count.pop(p.name, None)
            self._seg.drop_name(p.name)
        self._finder.remove(userid)

    def _groups(self, p: Person) -> list[tuple[dict[object, dict[str, None]], object]]:
        out: list[tuple[dict[object, dict[str, None]], object]] = [(self._branches, p.branch)]  # type: ignore[list-item]
        if p.zone:
            out.append((self._zones, p.zone))  # type: ignore[arg-type]
        if p.team:
            out.append((self._teams, (p.branch, p.team)))  # type: ignore[arg-type]
        return out

    @staticmethod
    def _group(group: dict[object, dict[str, None]], key: object) -> frozenset[str]:
        return frozenset(group.get(key, ()))

    def context_of(self, sender: str | None) -> ParseContext:
        """The sender's context as far as the roster tells it (role, zone, team, branch; no open items)."""
        person = self._people.get(sender) if sender else None
        if person is None:
            return ParseContext()
        role = "grid_leader" if person.grid_leader and person.role == "employee" else person.role
        team = self._group(self._teams, (person.branch, person.team or "")) if person.team else frozenset()  # type: ignore[arg-type]
        return ParseContext(role, self._group(self._zones, person.userid), team - {person.userid},  # type: ignore[arg-type]
                            self._group(self._branches, person.branch))  # type: ignore[arg-type]

    def analyse(self, text: str, *, sender: str | None, today: datetime.date,
                context: ParseContext | None = None) -> Analysis:
        """Run the extractors and build model features."""
        ctx = context if context is not None else self.context_of(sender)
        norm = normalize(text)
        found = self._finder.find(norm, sender, ctx)
        masked = found.masked
        ref_hit = find_ref(masked)
        no_ref = masked
        if ref_hit:
            a, b = ref_hit[1]
            no_ref = masked[:a] + " " * (b - a) + masked[b:]
        due = extract_due(no_ref, today)
        urgent = is_urgent(masked)
        tokens = tuple(t for t in self._seg.cut(masked) if t.strip())
        role = "employee" if ctx.role == "grid_leader" else ctx.role
        sig = Signals(len(found.persons) + len(found.ambiguous) + len(found.unknown), due is not None,
                      ref_hit is not None, urgent, role, any(u in ctx.zone for u in found.persons),
                      ctx.open_items, ctx.open_incidents)
        feats = tuple(featurize(masked, list(tokens), sig)) + _emoji_features(text)
        return Analysis(norm, masked, tokens, found.persons, found.ambiguous, found.unknown, due,
                        ref_hit[0] if ref_hit else None, urgent, feats, ctx, found.addressed)

    def parse(self, text: str, *, sender: str | None = None, today: datetime.date,
              context: ParseContext | None = None) -> Parse:
        """Parse one message.

        Args:
            text: Raw message text.
            sender: Sender's userid (never listed as a person).
            today: Reference date for relative dates.
            context: The sender's role, zone, team and open items (default: what the roster says).

        Returns:
            The parse.
        """
        a = self.analyse(text, sender=sender, today=today, context=context)
        intent, category, polarity, confidence = Intent.OTHER.value, None, None, 1.0
        if self._model is not None and a.masked.strip():
            heads = self._model.heads
            proba = heads["intent"].proba(a.features)
            if a.context.role in ("employee", "grid_leader") and a.context.open_items == 0:
                # Progress is reported on an open item by whoever follows it (or asked for it): an
                # employee with no open item at all means something else (feedback, most often).
                proba = {c: p for c, p in proba.items() if c not in _STAFF_INTENTS} \
                    if max(proba, key=proba.__getitem__) == _PROGRESS else proba
            intent, confidence = margin(proba)
            if confidence < UNSURE_INCIDENT and _runner_up(proba) == Intent.INCIDENT_REPORT.value \
                    and (intent in _TIE_TO_INCIDENT or intent == _PROGRESS and a.context.role not in ("member", "secretary")) \
                    and not _CAN_WAIT.search(a.masked):
                intent = Intent.INCIDENT_REPORT.value
            elif confidence < UNSURE_INCIDENT and intent == Intent.INCIDENT_REPORT.value and not a.urgent \
                    and _runner_up(proba) == Intent.DEED_REQUEST.value and _LASTING.search(a.masked):
                intent = Intent.DEED_REQUEST.value
            if intent == Intent.SMALLTALK.value and confidence < UNSURE_SMALLTALK and "k:greeting" not in a.features:
                intent = Intent.OTHER.value  # "这个到底算谁的啊": not a greeting, only unread (the card asks)
            elif intent in _QUERIES and confidence < UNSURE_STATUS and a.ref is None:
                intent = Intent.OTHER.value  # "这个到底算谁的啊 …电话…": hardly a question of progress or duty
            elif len(a.masked.strip()) <= SHORT and confidence < UNSURE_SHORT:
                intent = Intent.OTHER.value  # "报名" on a coin flip: a short reply, read in context (bot.pending)
            if _BARE_SIGNUP.match(a.masked.strip()):
                intent = Intent.OTHER.value
            if intent == Intent.DEED_REQUEST.value:
                category = heads["deed"].predict(a.features)
            elif intent == Intent.CARE_NEED.value:
                category = heads["care"].predict(a.features)
            elif intent == Intent.FEEDBACK.value:
                polarity = heads["polarity"].predict(a.features)
        if not a.masked.strip() and strip_emoji(text).strip() != text.strip():
            intent, confidence = Intent.SMALLTALK.value, 1.0  # emoji only (👍, 🙏, 😊): a reaction, not a request
        ruled, category, polarity = apply_rules(a.masked, intent, category, polarity, a.context,
                                                any(u in a.context.zone for u in a.persons), a.urgent)
        if ruled != intent or a.urgent:
            confidence = 1.0  # a rule decided, or an emergency: nothing to ask about
        return Parse(Intent(ruled), category, polarity, a.persons, a.due, a.ref, a.urgent, a.ambiguous, a.unknown,
                     round(confidence, 3), a.addressed)


def _runner_up(proba: dict[str, float]) -> str | None:
    """The second most probable class."""
    ranked = sorted(proba.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[1][0] if len(ranked) > 1 else None


def margin(proba: dict[str, float]) -> tuple[str, float]:
    """The most probable class and its margin over the second (re-normalised over the classes given)."""
    total = sum(proba.values()) or 1.0
    ranked = sorted(proba.items(), key=lambda kv: (-kv[1], kv[0]))
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    return ranked[0][0], (ranked[0][1] - second) / total
