"""征求意见 storage: surveys, questions, recipients and answers, their lifecycle and vocabulary, results.

``from storage import surveys`` gives the public surface below.
"""

from storage.surveys.actions import (
    ANONYMOUS_ACTOR,
    add_question,
    answer,
    close,
    create,
    may_publish,
    publish,
    redact_inbox,
    remove_last_question,
    start,
)
from storage.surveys.lifecycle import (
    Action,
    AudienceRole,
    QuestionKind,
    RecipientStatus,
    SurveyStatus,
    audience_label,
    check,
    check_recipient,
    label,
)
from storage.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyRecipient
from storage.surveys.repo import (
    MAX_OPTIONS,
    MAX_QUESTIONS,
    OPTION_LIMIT,
    QUESTION_LIMIT,
    TEXT_ANSWER_LIMIT,
    TITLE_LIMIT,
    Progress,
    get,
    list_surveys,
    next_number,
    options_of,
    progress,
    question_counts,
    open_by_branch,
    open_question_counts_by_branch,
    open_unfinished_by_branch,
    questions,
    recipient,
    recipients,
    unfinished_recipients,
    unfinished_for,
)
from storage.surveys.results import QuestionResult, SurveyResult, results

__all__ = [
    "ANONYMOUS_ACTOR", "MAX_OPTIONS", "MAX_QUESTIONS", "OPTION_LIMIT", "QUESTION_LIMIT", "TEXT_ANSWER_LIMIT",
    "TITLE_LIMIT", "Action", "AudienceRole", "Progress", "QuestionKind", "QuestionResult", "RecipientStatus",
    "Survey", "SurveyAnswer", "SurveyQuestion", "SurveyRecipient", "SurveyResult", "SurveyStatus", "add_question",
    "answer", "audience_label", "check", "check_recipient", "close", "create", "get", "label", "list_surveys",
    "may_publish", "next_number", "options_of", "progress", "publish", "question_counts", "open_by_branch", "open_question_counts_by_branch", "open_unfinished_by_branch", "questions",
    "recipient", "recipients", "redact_inbox", "remove_last_question", "results", "start", "unfinished_for", "unfinished_recipients",
]
