"""The questions 精准帮扶 asks: the six steps of ``/帮扶 新建 标题`` (the draft travels in the data).

Each step handles 取消 itself ("已取消新建帮扶项目"), so none is ``cancellable`` by the mechanism.
"""

from __future__ import annotations

from bot.fsm import State, StatesGroup


class AssistStates(StatesGroup, domain="assist"):
    target = State(cancellable=False)  # 第1步 帮扶对象
    goal = State(cancellable=False)  # 第2步 目标
    members = State(cancellable=False)  # 第3步 责任党员
    deadline = State(cancellable=False)  # 第4步 截止日期
    milestones = State(cancellable=False)  # 第5步 里程碑, one message each, then 完成
    criteria = State(cancellable=False)  # 第6步 成效标准; the project is created


STEPS: tuple[State, ...] = (AssistStates.target, AssistStates.goal, AssistStates.members, AssistStates.deadline,
                            AssistStates.milestones, AssistStates.criteria)
