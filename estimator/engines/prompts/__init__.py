"""Prompt texts, one file per part and language, so they are reviewed as text and not as code.

A system prompt is the fixed rules first, then the operation's instructions, then (in JSON
object mode) the schema: everything that does not depend on the project comes before the
project's data, which travels in the user message, so the provider's prompt cache applies.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent


@cache
def prompt(name: str, language: str) -> str:
    """The text of `name` in `language` (`ja` or `en`)."""
    return (PROMPTS_DIR / f"{name}.{language}.md").read_text(encoding="utf-8").strip()


def system_prompt(operation: str, language: str, schema: str | None = None) -> str:
    """Rules, then the operation's instructions, then the JSON schema when the server cannot enforce one."""
    parts = [prompt("rules", language), prompt(operation, language)]
    if schema is not None:
        parts.append(prompt("json_schema", language).replace("{schema}", schema))
    return "\n\n".join(parts)


def retry_prompt(language: str, problem: str) -> str:
    """What the model is told when its answer could not be used."""
    return prompt("retry", language).replace("{problem}", problem)
