"""How people talk about an incident they are handling, in the words they really type.

"收到 马上过去" / "好的我去看看" (acknowledging without a number), "人已送医" (progress), "火已扑灭，没有人员受伤"
(done: the incident can be closed with that as what was done), "我报的事件处理了吗" (the reporter asking).
"""

from __future__ import annotations

import re

# Acknowledging: "收到", "马上过去", "我去看看", "在路上" … in a short message without a number.
ACK = re.compile(r"收到|马上(?:过去|到|去|来)|立[刻即](?:过去|去|到)|这就(?:过去|去|到)|我(?:这就|马上)?(?:去|过去)(?:看看|看一下|处理|现场)?$"
                 r"|去看看|过去看看|赶过去|在路上|已出发|出发了|我来处理|我去处理|on\s*my\s*way", re.I)
ACK_MAX_CHARS = 20  # a longer text says more than "I'm on it"
NOT_ACK = re.compile(r"没收到|未收到|收不到")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
FILLER = re.compile(r"[\s，,。.！!~～、…]+|[\U0001F300-\U0001FAFF\u2600-\u27BF]")

# Done: what was done ends the incident ("已处理", "火已扑灭", "恢复正常", "没事了").
DONE = re.compile(r"已(?:经)?(?:处理|处置|解决|恢复|排除|扑灭|熄灭|结束|控制住)|处理(?:完|好)|处置(?:完|好)|解决了"
                  r"|恢复(?:正常|供电|运行)|扑灭了|灭了|排除了|没事了|已无大碍|无大碍|可以关闭|可以结案|结案")
# Not the end yet: negated ("还没处理完") or still going on ("维修师傅在处理", "正在抢修", "等结果").
NOT_DONE = re.compile(r"(?:没|未|尚未|还没|还未|不能|无法)(?:有)?(?:能)?(?:处理|处置|解决|恢复|排除|扑灭|控制|结束)"
                      r"|正在|在处理|在抢修|在检查|还在|等待|等结果|稍后|准备|观察中")
# Progress: a step taken, not the end ("人已送医", "已到现场", "正在抢修").
PROGRESS = re.compile(r"已(?:经)?(?:送医|送到医院|到现场|到达|赶到|通知|联系|报警|隔离|撤离|疏散|切断|关闭|停机)|送医|抢修|救护车|120|119")
# The reporter asking about their incident, without a number.
ASKS_INCIDENT = re.compile(r"事件|事故|我报的|我报告的|报上去的|报的那个")


def plain(text: str) -> str:
    """The text without spaces, punctuation and emoji."""
    return FILLER.sub("", text)


def acknowledges(text: str) -> bool:
    """A short "I'm on it" without a number: "收到 马上过去", "好的我去看看", "收到👌"."""
    bare = plain(text)
    if not bare or len(bare) > ACK_MAX_CHARS or re.search(r"[#＃]|\d", bare) or NOT_ACK.search(bare):
        return False
    return bool(ACK.search(bare))


def is_done(text: str) -> bool:
    return bool(DONE.search(text)) and not NOT_DONE.search(text)


def is_progress(text: str) -> bool:
    return is_done(text) or bool(PROGRESS.search(text))


def without_number(text: str, number: int) -> str:
    """The note itself: "#3 已处理，设备已恢复" -> "已处理，设备已恢复"."""
    digits = f"(?:{number}|{str(number).translate(FULL_WIDTH)})"
    stripped = re.sub(rf"^\s*(?:事件)?\s*[#＃]?\s*{digits}\s*(?:号)?\s*[:：，,]?\s*", "", text.strip())
    return stripped or text.strip()
