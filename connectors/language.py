"""The language a text is written in, for portals that do not say (py3langid, a small offline model)."""
from __future__ import annotations

from functools import cache

# The languages of the people these portals serve; fewer candidates make short texts reliable.
CANDIDATES = ("de", "en", "ar", "fa", "fr", "ru", "tr", "uk", "ku", "ps", "so", "ur")
DEFAULT = "de"  # the portal documents: texts are German unless a language field says otherwise
MIN_CHARS = 12
MIN_CONFIDENCE = 0.7


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(CANDIDATES))
    return identifier


def detect(text: str | None, default: str = DEFAULT) -> str:
    """ISO 639-1 code of the text's language; `default` when the text is too short or unclear."""
    text = (text or "").strip()
    if len(text) < MIN_CHARS:
        return default
    language, confidence = _identifier().classify(text)
    return language if confidence >= MIN_CONFIDENCE else default
