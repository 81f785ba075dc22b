"""Hand rules applied on top of the model (kept few and general)."""
from __future__ import annotations

import re

from .lexicon import COVER, LECTURE, SCAM, SICK_GROUP
from .persons import PLACEHOLDER
from .types import ParseContext

# A promise recalled and not kept ("说好这周修 到今天一个人影都没见着", "答应给加的人 到现在一个都没来"): feedback
# on what was done about a matter, not the matter raised anew nor a question of progress.
_BROKEN_PROMISE = re.compile(r"^.{0,3}(?:说好|答应|承诺)(?:了|的)?.{0,14}(?:没|不见|还是|照旧|照样)")
# Nothing changed after what was done ("照样锁不上", "换汤不换药", "啥也没变"): feedback, and unsatisfied.
_UNCHANGED = re.compile(r"照旧|照样|换汤不换药|走过场|啥也没变|什么也没变|没啥变化|没变化")
# Done, but not as asked ("安全帽是换了 就换了一半", "热水器换了个小的 两个人洗就没热水了"): feedback, and unsatisfied.
# Not "该换了 一停电就…" (a request).
_DONE_BUT = re.compile(r"(?:是|倒是)(?:换|修|装|发|补|加|给|批|配)了"
                       r"|(?<!该)(?:换|修|装|补|加)了(?:个|台|张|些|一?点)?.{0,6} .{0,6}(?:就|又|还是)")
_NEG_SAT = re.compile("|".join(r.pattern for r in (_BROKEN_PROMISE, _UNCHANGED, _DONE_BUT)) + r"|跟没.{0,2}一样|不满意|不太满意|不行|没解决|没修好|还是不|还是那样|还是没|一点没|根本没|差评|敷衍|不接受|又坏|白修|等于没")
_NO_WORDS = re.compile(r"^[\sA-Za-z0-9.,!?~。，、…·\-_=+*/\\:;'\"]*$")
_LATIN_SMALLTALK = re.compile(r"^\s*(?:ok|okay|hi|hello|hey|thx|thanks|thank you|good|nice|yes|yeah|no|bye|666+|888+|999+)[\s.!?~]*$",
                              re.IGNORECASE)
_COVER = re.compile(COVER)
_LECTURE = re.compile(rf"(?:建议|能不能|能否|可不可以|组织|搞|办|请|希望|想听).{{0,16}}(?:{LECTURE})")
_SCAM = re.compile(SCAM)
_PLEA = re.compile(r"帮|求|能不能|能否|可不可以|怎么办|咋办|问问|支部")
_SCAM_HARDSHIP = re.compile(r"欠|还不上|过不下去|撑不住|日子|压力|没钱|紧巴")
_SICK_GROUP = re.compile(SICK_GROUP)
_NOW = re.compile(r"现在|正在|刚才|刚刚|还在")
LONG = 60  # a long voice report: its many features sum to whatever, the words "now" and urgency decide
_SELF_HARM = re.compile(r"不想活|跳楼|跳河|轻生|自杀|寻短见|天台|楼顶")
_VISIT = re.compile(r"走访|看望|探望|慰问|谈过|谈了|谈心|聊了|聊过|通了电话|打了(?:个)?电话|电话问|电话里|问了|问过|去(?:了|过)|家里坐|坐了坐|看了|看过")
_ITEM_WORK = re.compile(r"申请|材料|补助|救助|手续|报(?:给|到|上|了)|交(?:到|上|了)|批|工会|财务|人事|派出所|立案|笔录|协调|办好|办妥|落实|发了|到账")
# A staff member's report that opens with whom they saw or called ("跟P聊了", "给P打了电话", "P 走访了", "去P家看了"):
# a visit report whatever follows (what was said, what was promised). Not 慰问金 (money handed over: progress).
_VISIT_LEAD = re.compile(
    r"^(?:.{0,8}(?:跟|和|与|找|给|去|到|陪|约|把)P.{0,5}(?:聊|谈|走访|看望|探望|慰问(?!金|品)|打了|打过|通了|家|吃了)"
    r"|.{0,4}P(?:[和、 ]*P)?.{0,4}(?:走访|谈过|谈了|聊过|聊了|电话(?:问|里|慰问|聊|联系过|沟通)|慰问(?!金|品)|看过|去过|看了"
    r"|家(?:里)?(?:我)?(?:去了|去过|走访|看了|看过|坐了|走了一趟)|(?:那里|那边)(?:问|去|看)))".replace("P", PLACEHOLDER))
_THANKS_PERSON = re.compile(r"^(?:谢谢|感谢|多谢)" + PLACEHOLDER)
# A plain question on a matter ("修好了吗", "还发不发", "修不修了给个准话", "还作数不"), not a rhetorical one ("这叫修好了？")
# nor one with a complaint or thanks in it: the sender asks where it stands, not what they think of it.
_STATUS_ASKED = re.compile(r"吗|给个准话|还(.)不\1|(.)不\2了|作数不|还算数")
_HAND_IN = re.compile(r"(?:交|送|递)(?:到|给)(?:哪|谁)")  # "报销发票交到哪": where or to whom, a duty question
_ASKED = re.compile(r"[?？]|吗|到底|咋回事|怎么回事|还.不.|给个准话")
# Something better than it was ("宽敞多了", "亮堂多了", "太舒服了"): an employee's word on what was done. Not 好多了
# (a member's visit report of someone's health) and not from staff (a visit report of how someone feels).
_BETTER = re.compile(r"(?:快|宽敞|方便|省事|暖和|亮堂|踏实|舒服|轻松|好吃|干净|安静|凉快|顺畅|清净|好用|好使|稳当|利索)多了|太舒服了")
# What was asked for done ("工资补齐了", "防护罩装回去了", "已经修好了") or the worry gone ("心里有底"), told by an employee:
# feedback on the matter (staff telling it report progress), unless they ask whether it is done.
_DONE_FOR_ME = re.compile(r"(?:补|发|交|换|装|修|配|铺|加)(?:齐|上|好|回去|到位)了|(?:落实|解决|办好|办妥)了|心里有底|踏实了|放心了")
# The sender at the end of their tether ("太压抑了", "挺灰心的", "人都快抑郁了"), whatever the work cause they name: a care
# matter for the person before a request about the work.
_DISTRESS = re.compile(r"压抑|灰心|抑郁|崩溃|看不到出路|没盼头|心累|心力交瘁|想哭|撑不下去")
# Someone's own retirement explained ("退休手续要准备啥 能不能找人给讲讲"): a care matter, not a lecture asked of
# the organisation.
_RETIRE_EXPLAIN = re.compile(r"(?:退休|退了|养老金|退休金).{0,20}(?:讲讲|讲一讲|讲一下|给讲|给我讲)")
_POS_SAT = re.compile(r"满意|好评|点赞|解决了|修好了|可以了|好了|收到了|谢谢|辛苦|不错|挺好|很好|很快")


def apply_rules(masked: str, intent: str, category: str | None, polarity: str | None,
                context: ParseContext | None = None, zone_person: bool = False,
                urgent: bool = False) -> tuple[str, str | None, str | None]:
    """Adjust the model's reading with a few high-precision rules.

    Args:
        masked: Normalised, person-masked text.
        intent: Model intent.
        category: Model category.
        polarity: Model polarity.
        context: The sender's context.
        zone_person: A person in the sender's zone is mentioned.
        urgent: The message is urgent.

    Returns:
        (intent, category, polarity).
    """
    if masked.strip() and _NO_WORDS.match(masked) and not _LATIN_SMALLTALK.match(masked):
        # Key mashing, bare numbers, punctuation only: nothing to understand.
        intent = "other"
    intent, category = _context_rules(masked, intent, category, context, zone_person, urgent)
    if intent == "feedback" and polarity is None:
        polarity = "unsatisfied" if _NEG_SAT.search(masked) else "satisfied"
    if intent not in ("deed_request", "care_need"):
        category = None
    elif category is None:
        category = "other"
    if intent != "feedback":
        polarity = None
    return intent, category, polarity


def _context_rules(masked: str, intent: str, category: str | None, context: ParseContext | None,
                   zone_person: bool, urgent: bool) -> tuple[str, str | None]:
    """Readings the words alone get wrong, settled by what they ask for and who says them."""
    if _SICK_GROUP.search(masked):
        return "incident_report", None  # a food-poisoning outbreak is not a canteen complaint
    if urgent and intent in ("smalltalk", "other"):
        return "incident_report", None  # "救命啊", "快来人": a cry for help is never small talk
    if urgent and intent == "deed_request" and len(masked) >= LONG and _NOW.search(masked):
        return "incident_report", None  # a long voice report of something going on now and urgent
    if urgent and intent == "care_need" and _SELF_HARM.search(masked):
        return "incident_report", None  # someone about to harm themselves: now, not a care visit
    if _THANKS_PERSON.search(masked) and intent in ("deed_request", "care_need", "other", "smalltalk", "feedback"):
        return "feedback", None  # "谢谢P 这段时间一直帮我顶班": thanks to someone named, not the matter again
    if intent in ("care_need", "other", "talent", "smalltalk", "feedback") and _COVER.search(masked) \
            and _PLEA.search(masked):
        return "deed_request", "workload"  # someone to cover a shift: a rota request, not a care need
    if intent == "deed_request" and _DISTRESS.search(masked):
        return "care_need", "emotional"
    if intent in ("deed_request", "care_need", "talent", "other") and _RETIRE_EXPLAIN.search(masked):
        return "care_need", "retirement"
    if intent in ("care_need", "talent", "other") and _LECTURE.search(masked):
        return "deed_request", "other"  # a suggested lecture is a request of the organisation
    if intent in ("care_need", "incident_report", "other", "talent", "feedback") and _SCAM.search(masked) \
            and _PLEA.search(masked) and not _SCAM_HARDSHIP.search(masked):
        return "deed_request", "other"  # a scam victim asks for help with the matter: not an incident now
    staff = context is not None and context.role in ("member", "secretary")
    if intent == "feedback" and _STATUS_ASKED.search(masked) and not _NEG_SAT.search(masked) \
            and not re.search(r"谢|辛苦|点赞|满意", masked):
        return "status_query", None
    if intent in ("other", "status_query", "deed_request", "smalltalk") and _HAND_IN.search(masked):
        return "duty_query", None
    if intent in ("deed_request", "status_query", "incident_report", "other") and len(masked) < LONG \
            and _BROKEN_PROMISE.search(masked) and not _ASKED.search(masked):
        return "feedback", None
    if not staff and intent != "feedback" and len(masked) < LONG and (_UNCHANGED.search(masked) or _DONE_BUT.search(masked)):
        return "feedback", None
    if not staff and intent in ("deed_request", "care_need", "other", "status_query") and _DONE_FOR_ME.search(masked) \
            and not _ASKED.search(masked) and not _STATUS_ASKED.search(masked) and not re.search(r"了没|没有?$", masked):
        return "feedback", None
    if not staff and intent in ("deed_request", "status_query", "care_need", "other") and _BETTER.search(masked):
        return "feedback", None
    if staff and not urgent and intent != "incident_report" and _VISIT_LEAD.search(masked):
        return "visit_report", None  # "跟P聊了聊 …她说想申请调白班": whom they saw comes first, the rest is what was said
    if staff and zone_person and intent in ("progress_report", "care_need") and _VISIT.search(masked) \
            and not _ITEM_WORK.search(masked):
        return "visit_report", None  # a member on someone in their zone they saw or called
    return intent, category
