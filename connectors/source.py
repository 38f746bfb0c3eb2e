"""What a connector receives: its source's settings (from a [[sources]] entry), secrets that never
show themselves, and the credentials it sends to its portal."""
from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Any, Mapping


class Secret:
    """A value from the environment that never shows itself in logs, errors or reprs."""

    def __init__(self, env: str, value: str | None):
        self.env = env
        self._value = value  # None: the variable is not set (a command that sends nothing read the config)

    def reveal(self) -> str:
        """The secret itself, for the one place that sends it."""
        if self._value is None:
            raise LookupError(f"environment variable {self.env} is not set")
        return self._value

    def __repr__(self) -> str:
        return f"Secret(env={self.env!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:  # the same variable with the same value: a config read twice is equal
        return isinstance(other, Secret) and other.env == self.env and hmac.compare_digest(
            (other._value or "").encode("utf-8", "surrogatepass"), (self._value or "").encode("utf-8", "surrogatepass")
        ) and (other._value is None) == (self._value is None)

    def __hash__(self) -> int:
        return hash(self.env)


@dataclass(frozen=True)
class SourceSettings:
    """One source as its connector sees it: name, type, address, the connector's own keys
    (`options`, secrets as `Secret`) and the operator's additions to its category mapping."""

    name: str
    type: str
    url: str
    options: Mapping[str, Any] = field(default_factory=dict)
    #: The operator's additions to the connector's category mapping: portal category -> hub code.
    categories: Mapping[str, str] = field(default_factory=dict)
    #: The operator's additions to the lexicon of subject words: hub code -> words or word stems.
    category_words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Seconds one request to the portal may take in all (a portal trickling bytes is cut off).
    request_timeout: float = 120.0
    #: The official key (AGS) of the state, district or municipality the portal serves: a town name
    #: that several places share ("Rosdorf") is read as the one inside it.
    region: str | None = None
    #: The name the source's listing ids are made from: its own, or (once renamed) the name it had
    #: when its records were first seen, so a rename keeps every id. The hub sets it.
    id_namespace: str | None = None

    @property
    def is_local(self) -> bool:
        """True for a bundled sample on disk rather than a portal on the network."""
        return not self.url.startswith(("http://", "https://"))


@dataclass(frozen=True)
class Bearer:
    """`Authorization: Bearer <token>`, sent to the source's own origin only."""

    token: Secret

    def headers(self) -> dict[str, str]:
        """The request headers that carry the credentials."""
        return {"Authorization": f"Bearer {self.token.reveal()}"}
