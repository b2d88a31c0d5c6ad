"""Which engine runs: the OpenAI one when a key is set, else the embedded offline one."""

from __future__ import annotations

from estimator.config import Settings
from estimator.engines.base import Engine


def make_engine(settings: Settings) -> Engine:
    """Imports stay inside so the offline setup never loads the OpenAI SDK."""
    if settings.openai_api_key:
        from estimator.engines.openai_engine import OpenAIEngine

        return OpenAIEngine(settings)
    from estimator.engines.offline import OfflineEngine

    return OfflineEngine()
