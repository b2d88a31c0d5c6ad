"""Issue 12 item 9: answers are read right. Every choice the question bank offers maps to its
stated factor in both languages, and a hedge (ある程度, 概ね, "somewhat") is a middle value,
never the top of the scale."""

from __future__ import annotations

import pytest

from estimator.engines.reading import option_label, read_answer
from estimator.engines.sizing import QUESTION_TOPICS, TOPICS
from estimator.i18n import LANGUAGES

BY_KEY = {topic.key: topic for topic in TOPICS}
CHOICES = [(topic.key, option.key, lang) for topic in QUESTION_TOPICS for option in topic.options for lang in LANGUAGES]


@pytest.mark.parametrize(("topic", "option", "lang"), CHOICES)
def test_every_offered_choice_reads_as_itself(topic: str, option: str, lang: str) -> None:
    chosen = next(o for o in BY_KEY[topic].options if o.key == option)
    read = read_answer(BY_KEY[topic], option_label(BY_KEY[topic], chosen, lang))
    assert read is not None and read.key == option and read.factor == chosen.factor


@pytest.mark.parametrize(
    ("topic", "answer", "expected"),
    [
        ("team_experience", "ある程度", "average"),
        ("team_experience", "ある程度あります", "average"),
        ("team_experience", "一部のメンバーは経験あり", "average"),
        ("team_experience", "普通", "average"),
        ("team_experience", "some experience", "average"),
        ("team_experience", "a mixed team", "average"),
        ("team_experience", "経験豊富", "experienced"),
        ("team_experience", "経験あり", "experienced"),
        ("requirements_stability", "概ね確定", "partly"),
        ("requirements_stability", "ほぼ確定しています", "partly"),
        ("requirements_stability", "mostly fixed", "partly"),
        ("requirements_stability", "partly settled", "partly"),
        ("requirements_stability", "確定済み", "fixed"),
        ("requirements_stability", "fixed", "fixed"),
        ("users_scale", "普通", "medium"),
        ("users_scale", "average", "medium"),
        ("schedule", "標準", "nominal"),
        ("availability", "普通", "standard"),
    ],
)
def test_hedged_answers_are_middle_values(topic: str, answer: str, expected: str) -> None:
    read = read_answer(BY_KEY[topic], answer)
    assert read is not None and read.key == expected, (answer, read)
