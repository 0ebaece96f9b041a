"""How the book writes numbers wherever they appear (prose, tables, figures): the minus sign,
and very small or large numbers with a power of ten instead of "e-17"."""

from __future__ import annotations

MINUS = "\u2212"
"""The minus sign of typeset text: a hyphen is shorter and breaks lines."""

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
"""Digits and minus as superscripts, for powers of ten in running text."""


def scientific(value: float, digits: int = 1) -> str:
    """A number as prose writes it: "0.46" or "123" as they are, "5.6 × 10⁻¹⁷" rather than
    "5.6e-17" when it is very small or large; a mantissa of exactly one is left out ("10⁻³")."""
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:.{digits + 1}g}".replace("-", MINUS)
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    power = f"10{str(int(exponent)).translate(SUPERSCRIPT)}"
    return power if float(mantissa) == 1 else f"{mantissa.replace('-', MINUS)} × {power}"
