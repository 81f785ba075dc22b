"""Urgency detection tests."""
from __future__ import annotations

import pytest

from bot.nlu.normalize import normalize
from bot.nlu.urgency import is_urgent


@pytest.mark.parametrize("text", [
    "开关柜冒烟了", "有人触电了", "燃气泄漏", "紧急！配电房进水了", "麻烦马上换", "今天之内必须修好",
    "有人受伤了 快来", "巡线的人失联了 电话打不通", "着火了", "赶紧派人来",
    "他被电了一下 手麻了", "十几个同事吃完盒饭都上吐下泻", "停车场有辆车自燃了", "锅炉房冒黑烟了",
    "一个学生说不想活了", "罐笼停在半道上 上面有人", "地勤的脚压了 流了好多血", "病区停电了 有几个病人在用呼吸机",
])
def test_urgent(text: str) -> None:
    assert is_urgent(normalize(text))


@pytest.mark.parametrize("text", [
    "洗手池堵了 不着急", "紧急出口被挡住了 不急", "不是很急 有空修一下", "急性阑尾炎住院了", "马上就要退休了",
    "热水器打不着火", "上次一个急刹车差点摔倒", "申请应急帮扶",
    "我被电信诈骗骗了五万 能不能帮帮我", "抢救车里的除颤仪电池不太行了", "被电视台采访了",
])
def test_not_urgent(text: str) -> None:
    assert not is_urgent(normalize(text))


@pytest.mark.parametrize("text", ["救命啊", "快来人啊", "2号机组跳机了", "锅炉跳闸了", "全厂停电了"])
def test_a_cry_for_help_or_a_unit_trip_is_urgent(text: str) -> None:
    assert is_urgent(text)


@pytest.mark.parametrize("text", ["他家里出事了，老父亲走了", "上次2号机组跳机的报告写好了吗"])
def test_news_and_past_events_are_not_urgent(text: str) -> None:
    assert not is_urgent(text)


@pytest.mark.parametrize("text", ["他爸两天前骨折了 现在在医院", "王晓斌他母亲大前天摔伤了", "他媳妇3天前出了车祸 受伤住院了",
                                  "一周前受伤的那个同事今天出院了"])
def test_what_happened_days_ago_is_a_care_matter_not_an_emergency(text: str) -> None:
    assert not is_urgent(normalize(text))


@pytest.mark.parametrize("text", ["两天前就报过了 现在又冒烟了", "刚才有人从梯子上摔下来骨折了"])
def test_what_happens_now_stays_urgent_whatever_came_before(text: str) -> None:
    assert is_urgent(normalize(text))
