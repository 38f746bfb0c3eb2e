"""The language of a text whose portal does not say, mixed scripts included."""
from __future__ import annotations

import pytest

from connectors import detect


@pytest.mark.parametrize("text, language", [
    ("Hausaufgabenhilfe für Kinder der Klassen 1 bis 6. أهلا وسهلا", "de"),  # a German text with an Arabic greeting
    ("Wir suchen Helfer für das Sprachcafé am Samstag. مرحبا بكم جميعا. Alle sind willkommen.", "de"),
    ("Hello, we are looking for volunteers for our café on Saturday. مرحبا", "en"),
    ("نحن عائلة من سوريا ونعيش في Gera منذ سنة. أتكلم العربية وقليلا من الألمانية", "ar"),  # Arabic naming a German town
    ("Wir suchen Helfende für die Kleiderkammer am Samstag.", "de"),
    ("Kurz", "de"),  # too short to tell: the portal's default
])
def test_the_script_most_letters_are_in_decides(text, language):
    assert detect(text) == language
