"""Urgency detection: danger, injury, someone missing, explicit urgency."""
from __future__ import annotations

import re

# Phrases that are never urgent although they contain an urgent cue.
_MASK = re.compile(
    r"紧急出口|打不着火|点不着火|打不着|应急(?:帮扶|救助|预案|演练|灯|通道|物资|管理|包)?|急性|急刹车?|急诊科|急救包|急救箱|急救培训|"
    r"消防演练|火灾演练|防火|灭火器|着急上火|急事急办|急需用钱|"
    r"不(?:是很|太|算|怎么|用|必|要)?(?:着?急|紧急)|别(?:着)?急|没(?:那么|多)?(?:着)?急|急不急|不赶时间|"
    r"差点|上次|上回|上个月|去年|以前|之前|前几天|昨天|那次"
)
_URGENT = re.compile(
    r"紧急|十万火急|火急|急死|很急|挺急|特别急|非常急|急急|着急|急用|急需|急[!?！]|急$|"
    r"赶紧|赶快|快来|快点来|快派|速来|立刻|立即|马上(?:过去|过来|来|派|处理|换|修|回(?!复|个|信|话)|到|赶|去|停|断|送|救)|"
    r"(?:今天|当天|今晚)(?:之内|以内|内|必须|务必|一定)|刻不容缓|等不了|"
    r"着火|起火|失火|火灾|冒火|火花|明火|火苗|烧起来|烧着|冒烟|还有烟|浓烟|焦糊味|烧焦|糊味|"
    r"爆炸|爆了|炸了|泄漏|泄露|漏气|燃气味|煤气味|刺鼻|毒气|中毒|漏电|触电|电到人|被电|放电|拉弧|"
    r"受伤|伤了|摔伤|跌伤|骨折|流血|出血|血流|头破|晕倒|昏倒|昏迷|休克|没意识|不省人事|抽搐|摔下来|摔倒了|从.{1,6}摔|"
    r"压着|压住|砸到|砸伤|砸中|被夹|夹了|夹住|卷进|烫伤|烧伤|割伤|120|救护车|抢救|病危|快不行|"
    r"失联|联系不上|找不到人|找不到了|人不见了|不见了|走丢了|下落不明|打不通|呼不通|不接电话|电话也不接|"
    r"打起来|打架|动手了|持刀|拿着刀|拿刀|动刀|闹事|"
    r"被困|困人|困在|焦味|电线烧|线烧了|插座烧|卡在|关在电梯|进水了|淹了|水淹|淹到|积水.{0,8}(?:柜|配电|设备|电)|倒灌|坍塌|倒塌|随时会|要塌|要倒|烟头|"
    r"刹车失灵|失控|很危险|太危险|非常危险|危险!|有危险|出人命|"
    r"滴在电机|溅到电|压力.{0,10}(?:往上|升高|飙)|超压|报警了|跳闸了.{0,6}冒"
)
_NOT_NOW = re.compile(r"上个月|去年|以前|那次|上回|上次")


def is_urgent(text: str) -> bool:
    """Return True when the message says or clearly implies it cannot wait.

    Args:
        text: Normalised text with person names masked (so 马上飞 is not 马上).

    Returns:
        Whether the message is urgent.
    """
    masked = _MASK.sub(lambda m: "□" * len(m.group(0)), text)
    for m in _URGENT.finditer(masked):
        left = masked[max(0, m.start() - 8): m.start()]
        if _NOT_NOW.search(left) and not re.search(r"今天|现在|刚才|刚刚|正在", left):
            continue
        return True
    return False
