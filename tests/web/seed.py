"""A year of ledger data for the workbench's tests, screenshots and benchmark, written straight as rows.

``seed(db, now)`` fills the ledgers for the roster already imported; ``roster(n)`` makes a roster of
``n`` people (members with zones of about 30, teams of about 100) for the benchmark. Every sensitive
text (care summaries, visit notes, tips, reserve reviews, free-text answers) carries ``marker``, so a
test can check the public workbook holds none of them.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from storage import deeds
from storage.db import Database
from storage.models import (CareEntry, Counter, Duty, Gathering, Item, ItemEvent, Lecturer, Milestone, Person, Project,
                            ReserveCandidate, ReserveReview, Signup, Survey, SurveyAnswer, SurveyQuestion,
                            SurveyRecipient, TalentProfile, Visit, VisitTask)

MARKER = "机密标记词"
CATEGORIES = ("canteen", "facilities", "commute", "pay_welfare", "safety", "housing", "workload", "other")
PROBLEMS = {"canteen": "食堂饭菜偏咸，希望少放盐", "facilities": "三楼卫生间水龙头漏水", "commute": "夜班后没有通勤车",
            "pay_welfare": "高温补贴还没发", "safety": "配电室门锁坏了", "housing": "宿舍空调不制冷",
            "workload": "倒班人员不足，连续上了三个夜班", "other": "更衣柜不够用"}
CARE = ("illness", "hardship", "bereavement", "celebration", "retirement", "emotional")


@dataclass(frozen=True)
class Seeded:
    items: int
    incidents: int
    entries: int
    visits: int
    open_deed: int  # the number of a deed still worked on (for action tests)


def roster(n: int, now: datetime, rng: random.Random) -> list[Person]:
    """``n`` people: one secretary, a member per ~30, teams of ~100, everyone else in a member's zone."""
    members = max(2, n // 30)
    teams = max(2, n // 100)
    out = [Person(userid="sec0001", name="书记", role="secretary", team="综合办公室", zone_member=None,
                  grid_leader=False, phone="13800000000", updated_at=now)]
    for i in range(members):
        out.append(Person(userid=f"m{i:05d}", name=f"党员{i}", role="member", team=f"班组{i % teams:03d}",
                          zone_member=None, grid_leader=i < teams, phone="", updated_at=now))
    for i in range(n - members - 1):
        out.append(Person(userid=f"e{i:06d}", name=f"职工{i}", role="employee", team=f"班组{i % teams:03d}",
                          zone_member=f"m{rng.randrange(members):05d}", grid_leader=False, phone="", updated_at=now))
    return out


def _deed(number: int, requester: Person, owner: str | None, created: datetime, now: datetime, secretary: str,
          rng: random.Random) -> tuple[Item, list[tuple[datetime, str, str, str | None, str | None]]]:
    """A deed and its history, further along the older it is."""
    category = rng.choice(CATEGORIES)
    item = Item(number=number, kind="deed", category=category, requester=requester.userid, owner=owner,
                team=requester.team, title=PROBLEMS[category][:30], text=PROBLEMS[category], status="submitted",
                urgent=rng.random() < 0.05, created_at=created, updated_at=created,
                due_at=deeds.due_at(category, created), reopen_count=0)
    events = [(created, requester.userid, "created", None, "submitted")]
    age = (now - created).days
    stage = -1.0 if age < 1 else (rng.random() if age < 6 else 0.5 + 0.5 * rng.random())
    actor = owner or requester.userid
    if stage > 0.15:
        t = created + timedelta(hours=rng.randint(1, 30))
        item.first_response_at, item.status = t, "accepted"
        events.append((t, actor, "accepted", "submitted", "accepted"))
    if stage > 0.35:
        t = created + timedelta(days=rng.randint(1, 8))
        item.resolved_at, item.status = t, "resolved"
        events.append((t, actor, "resolved", "accepted", "resolved"))
    if stage > 0.5:
        t = item.resolved_at + timedelta(days=1)  # type: ignore[operator]
        roll = rng.random()
        if roll < 0.12 and age < 20:
            item.status, item.satisfaction, item.reopen_count = "reopened", "unsatisfied", 1
            item.resolved_at = None
            events.append((t, requester.userid, "reopened", "resolved", "reopened"))
        elif roll < 0.22:
            item.status, item.closed_at, item.closed_by, item.close_reason = "closed", t, secretary, "已当面沟通，本人同意销号"
            events.append((t, secretary, "closed_by_hand", "resolved", "closed"))
        else:
            item.status, item.closed_at, item.closed_by, item.satisfaction = "closed", t, requester.userid, "satisfied"
            events.append((t, requester.userid, "confirmed", "resolved", "closed"))
    item.updated_at = events[-1][0]
    return item, events


async def seed(db: Database, now: datetime, *, deeds_per_person: float = 1.5, marker: str = MARKER,
               rng: random.Random | None = None) -> Seeded:
    """A year of items, incidents, care entries, visits, tasks, trainings, activities, a survey, talent."""
    rng = rng or random.Random(20261125)
    async with db.session(1) as session, session.begin():
        people = list((await session.execute(select(Person).order_by(Person.userid))).scalars())
        secretary = next(p.userid for p in people if p.role == "secretary")
        members = [p for p in people if p.role == "member"]
        staff = {p.userid for p in members} | {secretary}
        zoned = [p for p in people if p.zone_member]
        number, deeds, incidents, open_deed = 0, [], 0, 0
        pending: list[tuple[Item, list[tuple[datetime, str, str, str | None, str | None]]]] = []
        for _ in range(int(len(zoned) * deeds_per_person)):
            number += 1
            requester = rng.choice(zoned)
            created = now - timedelta(days=rng.uniform(0, 365) ** 1.15 / 365 ** 0.15, hours=rng.uniform(0, 8))
            pending.append(_deed(number, requester, requester.zone_member, created, now, secretary, rng))
        recent = [p for p in pending if p[0].status in ("submitted", "accepted") and p[0].owner]
        open_deed = max(recent, key=lambda p: p[0].number)[0].number if recent else 0
        for _ in range(max(3, len(people) // 40)):
            number += 1
            reporter = rng.choice(zoned)
            created = now - timedelta(days=rng.uniform(0, 360))
            inc = Item(number=number, kind="incident", category="safety", requester=reporter.userid, team=reporter.team,
                       title="设备异响冒烟", text="二号泵房设备异响并冒烟，已断电", status="closed", urgent=True,
                       created_at=created, updated_at=created)
            events = [(created, reporter.userid, "reported", None, "open")]
            if (now - created).days > 0:
                t = created + timedelta(minutes=rng.choice((5, 12, 25, 50)))
                events.append((t, secretary, "acknowledged", "open", "acknowledged"))
            else:
                inc.status = "open"
            pending.append((inc, events))
            incidents += 1
        for item, _ in pending:
            session.add(item)
        await session.flush()
        for item, events in pending:
            session.add_all(ItemEvent(item_id=item.id, at=at, actor=actor, kind=kind, note="", from_status=a, to_status=b)
                            for at, actor, kind, a, b in events)
            deeds.append(item)
        session.add(Counter(name="item", value=number))
        entries: dict[str, CareEntry] = {}
        for p in rng.sample(zoned, max(3, len(zoned) // 20)):
            category = rng.choice(CARE)
            created = now - timedelta(days=rng.uniform(20, 300))
            tip = rng.random() < 0.3
            e = CareEntry(person=p.userid, category=category, responsible=p.zone_member or secretary, status="active",
                          sensitive=True, interval_days=14, next_follow_up=(now - timedelta(days=rng.randint(-20, 10))).date(),
                          summary=f"{marker}：{'同事反映' if tip else '本人说'}家里老人住院，需要照顾", source="tip" if tip else "self",
                          created_by=secretary if tip else p.userid, created_at=created)
            entries[p.userid] = e
            session.add(e)
        await session.flush()
        visits = 0
        for p in zoned:
            entry = entries.get(p.userid)
            if entry is not None:  # a ledger entry is followed up every two weeks or so
                day = entry.created_at.date() + timedelta(days=rng.randint(1, 5))
                days = []
                while day < now.date():
                    days.append(day)
                    day += timedelta(days=rng.choice((9, 12, 14, 14, 16, 21)))
            else:
                days = [(now - timedelta(days=rng.uniform(0, 360))).date() for _ in range(rng.choice((0, 1, 1, 2, 3)))]
            for day in days:
                session.add(Visit(person=p.userid, member=p.zone_member or secretary, entry_id=entry.id if entry else None,
                                  visited_on=day, summary=f"{marker}：谈心谈话，身体和家庭情况", next_date=day + timedelta(days=14),
                                  created_at=datetime.combine(day, datetime.min.time(), tzinfo=now.tzinfo)))
                visits += 1
            if rng.random() < 0.1:
                due = (now - timedelta(days=rng.uniform(-10, 300))).date()
                session.add(VisitTask(person=p.userid, member=p.zone_member or secretary, reason="生日慰问", due_date=due,
                                      status="done" if due < now.date() and rng.random() < 0.7 else "open",
                                      created_at=datetime.combine(due - timedelta(days=7), datetime.min.time(), tzinfo=now.tzinfo)))
        await _pillars(session, now, people, members, secretary, marker, rng)
        for i in range(14):
            day: date = now.date() + timedelta(days=i - 3)
            session.add(Duty(day=day, userid=rng.choice(sorted(staff)), phone="13800000000", note=""))
    return Seeded(len(deeds) - incidents, incidents, len(entries), visits, open_deed)


async def _pillars(session, now, people, members, secretary, marker, rng):  # type: ignore[no-untyped-def]
    """Trainings, activities, a project, a survey, talent profiles, a reserve candidate."""
    sample = rng.sample(people, min(len(people), 40))
    for n, (kind, title, days) in enumerate((("training", "安全操作规程培训", -20), ("training", "电工取证辅导", 10),
                                             ("activity", "班组技能比武", -5)), start=1):
        g = Gathering(kind=kind, number=n, title=title, category="contest" if kind == "activity" else "",
                      lecturer=members[0].userid if kind == "training" else None, starts_at=now + timedelta(days=days),
                      place="二楼会议室", capacity=30, team="", status="done" if days < 0 else "open",
                      created_by=secretary, created_at=now - timedelta(days=40))
        session.add(g)
        await session.flush()
        for p in sample[:20]:
            session.add(Signup(event_id=g.id, userid=p.userid, signed_at=now - timedelta(days=30),
                               status="signed", attended=days < 0 and rng.random() < 0.8))
    p = Project(number=1, title="运行一班技能提升", target_type="team", target=members[0].team, goal="人人持证上岗",
                criteria="持证率100%", lead=members[0].userid, members=json.dumps([members[1].userid]),
                deadline=(now + timedelta(days=60)).date(), status="active", created_by=secretary,
                created_at=now - timedelta(days=50))
    session.add(p)
    await session.flush()
    for i, title in enumerate(("摸底考试", "集中培训", "取证考试"), start=1):
        session.add(Milestone(project_id=p.id, position=i, title=title, due=(now + timedelta(days=30 * i - 40)).date(),
                              status="done" if i == 1 else "open"))
    s = Survey(number=1, title="食堂满意度调查", anonymous=True, audience="all", status="open", created_by=secretary,
               created_at=now - timedelta(days=10), opened_at=now - timedelta(days=9))
    session.add(s)
    await session.flush()
    q1 = SurveyQuestion(survey_id=s.id, position=1, kind="single", text="您对食堂饭菜满意吗？",
                        options=json.dumps(["满意", "一般", "不满意"], ensure_ascii=False))
    q2 = SurveyQuestion(survey_id=s.id, position=2, kind="text", text="还有什么建议？", options="[]")
    session.add_all([q1, q2])
    await session.flush()
    for person in sample[:25]:
        session.add(SurveyRecipient(survey_id=s.id, userid=person.userid, status="done", position=2,
                                    finished_at=now - timedelta(days=5)))
        session.add(SurveyAnswer(survey_id=s.id, question_id=q1.id, respondent=None, answer=json.dumps([rng.randrange(3)]),
                                 at=now - timedelta(days=5)))
        session.add(SurveyAnswer(survey_id=s.id, question_id=q2.id, respondent=None,
                                 answer=json.dumps(f"{marker}希望多一些面食"), at=now - timedelta(days=5)))
    for person in sample[:10]:
        session.add(TalentProfile(userid=person.userid, skills=json.dumps(["电工"], ensure_ascii=False),
                                  certificates=json.dumps(["低压电工证"], ensure_ascii=False),
                                  wishes=json.dumps([{"at": "", "text": f"{marker}想学PLC"}], ensure_ascii=False),
                                  updated_at=now))
    session.add(Lecturer(userid=members[0].userid, specialty="安全规程", agreed_at=now - timedelta(days=100)))
    cand = ReserveCandidate(userid=sample[0].userid, recommended_by=members[0].userid, reason=f"{marker}业务骨干",
                            status="reviewing", created_at=now - timedelta(days=30))
    session.add(cand)
    await session.flush()
    session.add(ReserveReview(candidate_id=cand.id, reviewer=members[1].userid, aspect="work", note=f"{marker}工作踏实",
                              at=now - timedelta(days=20)))


async def grow(db: Database, n: int, now: datetime, rng: random.Random | None = None) -> None:
    """Add ``n`` employees to the existing teams and zones (a fuller picture than the 15-person test roster)."""
    rng = rng or random.Random(7)
    async with db.session(1) as session, session.begin():
        people = list((await session.execute(select(Person).order_by(Person.userid))).scalars())
        members = [p for p in people if p.role == "member"]
        for i in range(n):
            m = rng.choice(members)
            session.add(Person(userid=f"extra{i:04d}", name=f"职工{i:03d}", role="employee", team=m.team,
                               zone_member=m.userid, grid_leader=False, phone="", updated_at=now))
