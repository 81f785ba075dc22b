"""Titles that follow a name: 王师傅, 建国书记 (persons, and whom a message is spoken to)."""

# after a surname (王师傅, 李书记)
SURNAME_TITLES = "师傅|师父|大姐|大哥|姐|哥|老师|主任|书记|班长|组长|站长|所长|科长|经理|队长|工|护士长|大夫|医生|校长|矿长|院长"
# after a bare given name (红梅姐, 建国书记, 海洋班长)
GIVEN_TITLES = ("师傅|师父|大姐|大哥|姐姐|哥哥|姐|哥|老师|主任|副主任|书记|副书记|班长|副班长|组长|站长|所长|"
                "科长|处长|部长|经理|队长|主管|专责|同志")
