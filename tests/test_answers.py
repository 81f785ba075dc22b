"""Yes / no in everyday words (``bot.nlu.answers``): one table per reading."""

from __future__ import annotations

import pytest

from bot.nlu.answers import Answer, read

YES = ["是", "是的", "嗯", "嗯嗯", "恩恩", "嗯 可以吧", "行吧", "可以的", "好滴", "好哒", "没问题", "好的好的",
       "好好好", "可以", "ＯＫ", "ok", "OK的", "👌", "👍", "好的👌", "同意", "确认", "要的", "需要", "对",
       "号的", "可义", "木问题", "好嘞 麻烦了", "可以的，麻烦你们了", "中", "要得", "没毛病", "不介意",
       "行，登记吧", "麻烦你了", "嗯呢", "是滴", "好的！！", "好。", "～好～", "ｙｅｓ", "好的谢谢",
       "阔以", "嗯哪", "莫得问题", "冇问题", "中中中", "好嘞", "是嘞", "要得要得", "OK啦", "可以撒"]
NO = ["否", "不", "不用", "不用了", "不用了谢谢", "算了 不用登记了", "算了", "先别", "不太方便", "不要", "不需要",
      "别登记了", "不了不了", "🙅", "❌", "不登记", "好的 不用了", "谢谢，不用了", "取消", "不用拉", "部用了",
      "没有", "No", "暂时不用", "还是不要了吧", "不行", "不想登记", "不了，谢谢关心", "先不登记了，谢谢",
      "唔使喇", "不消了", "甭了", "莫要登记", "不得行", "还是算了吧", "不麻烦你们了"]
UNSURE = ["我想想", "让我想想", "考虑一下", "再说吧", "回头再说", "不确定", "不知道", "啥意思", "这是什么意思？",
          "等等", "我问问家里人", "?", "要不要登记啊", "行不行啊", "可不可以不写名字", "登记了是不是大家都能看到", "嗯…我再想想", "可以 不过我想想", "随便", "收到", "🙏", "哦", "可以吗？"]
OTHER = ["食堂晚班没有热饭，能不能解决一下", "今天谁值班", "集控室3号机给水泵跳闸了有人被烫伤了", "我父亲下周住院做手术",
         "中午食堂的菜太咸了大家都有意见", "#12 进度", "班车早上太挤了，能不能加一趟"]


@pytest.mark.parametrize("text", YES)
def test_yes(text: str) -> None:
    assert read(text) is Answer.YES


@pytest.mark.parametrize("text", NO)
def test_no(text: str) -> None:
    assert read(text) is Answer.NO


@pytest.mark.parametrize("text", UNSURE)
def test_unsure(text: str) -> None:
    assert read(text) is Answer.UNSURE


@pytest.mark.parametrize("text", OTHER)
def test_not_an_answer(text: str) -> None:
    assert read(text) is Answer.OTHER


@pytest.mark.parametrize(("text", "expected"), [
    ("是同一件", Answer.YES), ("一回事", Answer.YES), ("新的", Answer.NO), ("另一件事", Answer.NO),
    ("不是同一件", Answer.NO),
])
def test_a_question_adds_its_own_words(text: str, expected: Answer) -> None:
    assert read(text, extra_yes=("同一件", "一回事"), extra_no=("新的", "另一件", "不是同一件")) is expected
