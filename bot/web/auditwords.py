"""The audit log in Chinese: what each recorded action and object type is called on the page and in Excel.

Actions are recorded as short codes by every domain's storage (``storage.audit.record``); many are
``<object>_<event>`` (``training_signup``, ``item_accepted``, ``project_progress``). The history events reuse
their enums' labels (an item's ``EventKind``, a project's ``UpdateKind``, a visit task's ``TaskStatus``); a code
not known here is shown as recorded, so a new one is never hidden.
"""

from __future__ import annotations

from storage.assist import UpdateKind
from storage.care import TaskStatus
from storage.deeds import EventKind

OBJECTS = {
    "item": "办实事", "incident": "突发事件", "care_entry": "重点关注", "visit": "走访记录", "visit_task": "走访任务",
    "project": "帮扶项目", "survey": "问卷", "training": "培训", "activity": "活动", "lecturer": "内部讲师",
    "talent_profile": "人才档案", "reserve_candidate": "后备人才", "team": "班组", "duty": "值班",
    "workbook": "迎检台账", "web_login": "工作台登录", "person": "名册", "routing": "分派规则",
    "branch": "支部", "branches": "各支部", "branch_ranking": "支部争先", "care_ledger": "重点关注台账（聊天分页）",
}

ACTIONS = {
    "view": "查看", "login": "登录", "logout": "退出", "login_refused": "登录被拒", "login_link_created": "生成登录链接",
    "export": "导出", "export_requested": "申请导出", "import": "导入", "create": "新建", "created": "登记",
    "update": "修改", "delete": "删除", "proposed": "他人反映（待确认）", "accepted": "列入台账", "declined": "不列入",
    "resolved": "解除关注", "follow_up_set": "设定回访", "visit_recorded": "记录走访", "acknowledge": "确认处置",
    "progress": "处置进展", "close": "处置完毕", "zone_member": "调整责任区", "hand_over": "工作交接",
    "routing_set": "设定分派", "team_view": "查看班组", "committee_view": "党委查看", "committee_digest": "党委简报",
}

# After an object's prefix (``survey_published`` → 发布).
EVENTS = {
    "view": "查看", "viewed": "查看", "view_denied": "查看被拒", "list_viewed": "查看名单", "results_view": "查看结果",
    "created": "新建", "cancelled": "取消", "done": "结束", "signup": "报名", "signup_cancelled": "取消报名",
    "attendance": "登记到场", "question_added": "加题", "question_removed": "删题", "published": "发布",
    "closed": "结束", "started": "开始作答", "answer": "作答", "finished": "答完", "recommended": "推荐",
    "reviewed": "考察", "decided": "认定", "add": "登记", "added": "加入", "updated": "修改", "removed": "移除",
    "race_lost": "晚了一步（他人已先办理，未改变）",
}
PREFIXES = sorted(("item", "incident", "project", "survey", "training", "activity", "reserve", "talent_profile",
                   "lecturer"), key=len, reverse=True)


def object_label(object_type: str) -> str:
    return OBJECTS.get(object_type, object_type)


def action_label(action: str, object_type: str = "") -> str:
    if object_type in ("visit_task", "") and action not in ACTIONS and (task := TaskStatus.label_of(action, "")):
        return f"走访任务{task}"
    if action in ACTIONS:
        return ACTIONS[action]
    for prefix in PREFIXES:
        if action.startswith(prefix + "_"):
            rest = action[len(prefix) + 1:]
            enum = {"item": EventKind, "project": UpdateKind}.get(prefix)
            found = EVENTS.get(rest) or (enum.label_of(rest, "") if enum is not None else "")
            if found:
                return found
    return action
