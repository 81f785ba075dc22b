"""``change_contact`` events: WeCom says a member or a department changed (通讯录回调).

They come from WeCom itself (``FromUserName`` is ``sys``, nobody in the roster), are stored and
deduplicated by the inbox like every event, and reach this route. The route only queues which
member or department to look at (``storage.people.directory.note_change``): reading WeCom inside
the event's transaction would hold the database (SQLite has one writer) for an HTTP call. The
directory worker (:func:`apply_changes`, run by the app's scheduler every few seconds) reads the
member or the department tree from WeCom and applies it with the full sync's own logic
(``handlers.people.syncing``): the event is a hint, WeCom's answer is the truth, so an event applied
twice, late or out of order changes nothing more. A renamed account (``NewUserID``) keeps its roster
entry (role, 责任区…) and its open work under the new userid.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.config import Settings
from bot.dispatcher import Context, Replies
from bot.wecom.client import DirectoryUser
from bot.wecom.directory import DirectoryError, DirectoryReader
from handlers.people.directory import DirectoryRefused, mapping_file
from handlers.people.mapping import DirectoryMapping, MappingFileError, Resolver, read_mapping
from handlers.people.router import router
from handlers.people.syncing import apply, make_plan, placement_of, target_of
from storage.db import Database
from storage.people import branches as branch_store
from storage.people import directory as store
from storage.people.handover import hand_over
from storage.people.models import DirectoryChange

log = logging.getLogger(__name__)

SYSTEM = "sys"  # FromUserName of events WeCom itself raises
USER_CHANGES = ("create_user", "update_user", "delete_user")
PARTY_CHANGES = ("create_party", "update_party", "delete_party")
GIVE_UP_AFTER = timedelta(days=1)  # a change WeCom keeps refusing to explain: the nightly sync has it


@router.event("change_contact", known=False)
async def contact_changed(ctx: Context) -> Replies:
    """Queue the member or department to look at again; say nothing (nobody asked)."""
    raw = ctx.event.raw
    change = raw.get("ChangeType", "")
    if ctx.userid != SYSTEM or not ctx.settings.directory_mapping:
        return None
    if change in USER_CHANGES and raw.get("UserID"):
        await store.note_change(ctx.session, change, ctx.now, userid=raw["UserID"], new_userid=raw.get("NewUserID", ""))
    elif change in PARTY_CHANGES and raw.get("Id", "").isdigit():
        await store.note_change(ctx.session, change, ctx.now, department=int(raw["Id"]))
    return None


async def apply_changes(db: Database, reader: DirectoryReader, mapping: DirectoryMapping, now: datetime) -> int:
    """Apply the queued changes; returns the notices written. Changes WeCom could not be read for stay
    queued (until ``GIVE_UP_AFTER``) and the error is raised."""
    async with db.sessions() as session:
        queued = await store.pending_changes(session)
    if not queued:
        return 0
    try:
        notices = await _apply(db, reader, mapping, queued, now)
    except Exception:
        stale = [c.id for c in queued if c.received_at < now - GIVE_UP_AFTER]
        if stale:
            async with db.sessions() as session, session.begin():
                await store.forget_changes(session, stale)
        raise
    async with db.sessions() as session, session.begin():
        await store.forget_changes(session, [c.id for c in queued])
    return notices


async def _apply(db: Database, reader: DirectoryReader, mapping: DirectoryMapping, queued: list[DirectoryChange],
                 now: datetime) -> int:
    renames = [(c.userid, c.new_userid) for c in queued if c.new_userid and c.new_userid != c.userid]
    userids = {c.new_userid or c.userid for c in queued if c.change in USER_CHANGES}
    for old, new in renames:
        await _rename(db, old, new, now)
    tree = await reader.departments()
    resolver = Resolver(mapping, {d.id: d.parent for d in tree})
    departments = set().union(*(resolver.subtree(c.department) for c in queued if c.department is not None))
    fetched = await reader.users(userids)
    async with db.sessions() as session:
        known = await store.known(session, userids)
        in_changed = await store.in_departments(session, departments) if departments else {}
        branches = {b.id: (b.code, b.name) for b in await branch_store.all_branches(session)}
    users = [u for u in fetched.values() if u is not None]
    users += [DirectoryUser(s.userid, s.name, (s.department,), s.department) for s in in_changed.values()
              if s.userid not in fetched and s.active and s.department is not None]
    names = await reader.department_names(resolver.names_needed({d for u in users for d in u.departments}))
    targets = []
    for user in users:
        placement, department, _ignored = placement_of(user, resolver, names)
        if placement is not None:
            targets.append(target_of(user, placement, department))
    gone = [known[u] for u, found in fetched.items() if found is None and u in known]
    plan = make_plan(targets, {**in_changed, **known}, branches, gone)
    done = await apply(db, plan, now)
    log.info("directory changes: %d queued, %d created, %d updated, %d moved, %d retired", len(queued),
             len(plan.create), len(plan.update), len(plan.move), len(plan.retire))
    return done.notices


async def _rename(db: Database, old: str, new: str, now: datetime) -> None:
    """The new account takes the old one's roster entry and open work (a repeat finds nothing to take)."""
    async with db.sessions() as session, session.begin():
        before = (await store.known(session, [old])).get(old)
        if before is not None and before.active and await store.rename(session, old, new, now):
            await hand_over(session, old, new, now, branch=before.branch_id, keep_zone=True)


async def has_pending(db: Database) -> bool:
    async with db.sessions() as session:
        return await store.count_pending(session) > 0


async def apply_queued(db: Database, reader: DirectoryReader, settings: Settings, now: datetime) -> int:
    """The scheduler's run of :func:`apply_changes` with the configured mapping; failures are logged
    (the changes stay queued for the next run)."""
    try:
        return await apply_changes(db, reader, read_mapping(mapping_file(settings)), now)
    except (MappingFileError, DirectoryError, DirectoryRefused) as exc:
        log.error("directory changes not applied: %s", exc)
        return 0
