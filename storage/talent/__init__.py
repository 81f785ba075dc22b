"""精英培养 storage: talent profiles, internal lecturers, reserve talent (后备人才) and its lifecycle.

``from storage import talent`` gives the public surface below. Trainings themselves are gatherings
(``storage.gatherings``, kind ``training``).
"""

from storage.talent.lifecycle import (
    DECIDED,
    OPEN_STATUSES,
    ProfileField,
    ReserveAction,
    ReserveStatus,
    ReviewAspect,
)
from storage.talent.models import Lecturer, ReserveCandidate, ReserveReview, TalentProfile
from storage.talent.profiles import (
    add_entry,
    add_lecturer,
    certificates,
    count_profiles,
    lecturer,
    lecturers,
    profile,
    profiles,
    remove_lecturer,
    skills,
    wishes,
)
from storage.talent.reserve import (
    add_review,
    candidates,
    decide,
    latest_candidacy,
    open_candidacy,
    recommend,
    review_counts,
    reviews,
)

__all__ = [
    "DECIDED", "OPEN_STATUSES", "Lecturer", "ProfileField", "ReserveAction", "ReserveCandidate", "ReserveReview",
    "ReserveStatus", "ReviewAspect", "TalentProfile", "add_entry", "add_lecturer", "add_review", "candidates",
    "certificates", "count_profiles", "decide", "latest_candidacy", "lecturer", "lecturers",
    "open_candidacy", "profile", "profiles", "recommend", "remove_lecturer", "review_counts", "reviews", "skills",
    "wishes",
]
