"""The sign-up cards' buttons: ``talent:signup:3`` (a training), ``teams:signup:3`` (an activity).

The prefixes are storage's (``storage.gatherings.CARD_PREFIX``), so the cards 精英培养 and 精益班组
send (with ``storage.gatherings.signup_key``) unpack here. Sign-ups leave no question open.
"""

from __future__ import annotations

from bot.cardkeys import CardKey
from storage.gatherings import CARD_PREFIX, GatheringKind


class TrainingSignupCard(CardKey, prefix=CARD_PREFIX[GatheringKind.TRAINING]):
    action: str  # signup
    number: int


class ActivitySignupCard(CardKey, prefix=CARD_PREFIX[GatheringKind.ACTIVITY]):
    action: str  # signup
    number: int


CARDS: dict[type[CardKey], GatheringKind] = {
    TrainingSignupCard: GatheringKind.TRAINING,
    ActivitySignupCard: GatheringKind.ACTIVITY,
}
