"""The privacy gate's cost per text length: it must grow linearly, whatever the text.

    .venv/bin/python benchmarks/privacy_gate.py

For texts of 0.25, 0.5 and 1 MB of several shapes (prose with dates and numbers, one letter
repeated, digits and separators, '@'-dense, obfuscation words, invisible characters, messengers'
names and spelled-out links, long padding after a number, the forms of addresses and labels found by
probing), prints the seconds `clean_text` takes, the ratio to the same size's
NFKC normalisation measured in the same run (a linear C baseline), and how the time grows per
doubling (2.0 is linear; the old backtracking masker grew by 4: 'A' * 40000 took 41 s).
"""
from __future__ import annotations

import time
import unicodedata

from schema.privacy import clean_text, forget

SIZES = (250_000, 500_000, 1_000_000)
SHAPES = {
    "prose": "Wir suchen Helfer für die Kleiderkammer am 01.03.2016 von 10:00–14:00 Uhr, 14482 Potsdam. ",
    "one letter": "A",
    "digits": "0151 ",
    "phone-like": "0151 1234567 x ",
    "at-dense": "a@",
    "obfuscated": "x (at) y (dot) ",
    "invisible": "an\u200bna\u00ad ",
    "messenger-like": "Telegram an @anna t dot me / Threema ",
    "user names": "Telegram: @anna_w / @bob Signal: anna.42 Threema ABCD 2345 @x:y.de ",
    "id lists": "Threema: ABCD2345, EFGH6789 und X1Y2Z3W4 AB12CD34 (Threema) Discord anna#1234 Element: a:b.de · ",
    "padded lists": "Tel. 0151 73926514" + " " * 400 + "\n01.03. 10:00 - 12:00 Uhr, 1516 7654321 und 1234567 / 2024 2025, ",
    "mail words": "Mail: anna bei gmx.de, annaATwebDOTde a n n a @ w e b . d e anna\u00b7at\u00b7gmx\u00b7de Konto auf web.de ",
    "phone labels": "Telefonnummer (Büro): 1517 3926514, Handynummer lautet 0 1 5 1 l 2 3 4 5 6 7 49 151 73926514 ",
    # groups joined by odd signs, and a prefixed number before a long run of spaces (once quadratic)
    "odd joins": "Liste 1;2. Handy 0151|7392|6514 Nr 01" + " " * 2000 + "x ",
    "reach words": "Ruf mich\nan 7392 65148, Du erreichst mich über 7392 65148. Kontakt: Anna, 7392 65148 Call/text me 555 123 4567 ",
    # the shapes of helper-75's probe: numbers written as only phone numbers are, numbers named as others, user names
    "only phones": "Fragen? (712) 422-0297 8 (914) 123-45-67 6376233548337 0151_2345_6789 Art.-Nr. 01878011 NO93 8601 1117 947 "
                   "Contact: 77 69 01 89 55 Telegram : Lkazakova Gmail: anna a.n.n.a at g.m.x dot d.e anna \u24b6 gmx.de ",
}


def timed(fn, text: str) -> float:
    """Seconds one call takes (best of two, each with nothing remembered from the one before)."""
    best = float("inf")
    for _ in range(2):
        forget()
        start = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Print the table."""
    print(f"{'shape':12} {'size':>9} {'gate s':>8} {'NFKC s':>8} {'gate/NFKC':>10} {'x per doubling':>15}")
    for name, unit in SHAPES.items():
        previous = None
        for size in SIZES:
            text = (unit * (size // len(unit) + 1))[:size]
            gate = timed(clean_text, text)
            base = timed(lambda t: unicodedata.normalize("NFKC", t + "\u00a0"), text)
            growth = f"{gate / previous:.2f}" if previous else ""
            print(f"{name:12} {size:>9,} {gate:8.3f} {base:8.4f} {gate / base:10.0f} {growth:>15}")
            previous = gate
    print("figures from a shared, noisy machine: compare the growth per doubling (2.0 = linear)")


if __name__ == "__main__":
    main()
