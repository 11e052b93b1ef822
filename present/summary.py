"""A posyandu's results in plain words (Indonesian, or English on the switch), built only from the figures of
`scoring.summary.EntrantFigures`: every clause says one computed figure and keeps the numbers it says, so a test
can hold each clause against the table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from present.fmt import fmt_int, fmt_number
from present.i18n import t
from scoring.summary import EntrantFigures

ROMAN = ("I", "II", "III", "IV", "V", "VI")
TEXT_MAX = 70


@dataclass(frozen=True)
class Clause:
    kind: str                      # rank, strong, fix, moved, field_award
    text: str
    figures: dict = field(default_factory=dict)   # the numbers the clause says, unformatted


def short_text(text: str, limit: int = TEXT_MAX) -> str:
    """A criterion's text for a sentence: the first letter lowered unless the word is an acronym (SK, PAUD),
    cut at a word with "…" when long."""
    text = " ".join(text.split())
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def _field(f: str, lang: str) -> str:
    return t(f"field_{f}", lang).lower()


def summary_clauses(fig: EntrantFigures, criterion_texts: Mapping[str, str], lang: str) -> list[Clause]:
    """The clauses of the summary in reading order; a figure that is unknown (no rank, no field scored, no
    previous round) gives no clause rather than a guess."""
    out: list[Clause] = []
    if fig.rank is not None and fig.total is not None:
        award = t("share_sum_award", lang, award=fig.award) if fig.award else ""
        out.append(Clause("rank", t("share_sum_rank", lang, rank=fmt_int(fig.rank, lang),
                                    n=fmt_int(fig.n_ranked, lang), total=fmt_number(fig.total, 2, lang)) + award,
                          {"rank": fig.rank, "n": fig.n_ranked, "total": fig.total, "award": fig.award}))
    for f, place in fig.field_awards:
        out.append(Clause("field_award", field_award_text(f, place, lang), {"field": f, "place": place}))
    if fig.strongest:
        parts = [t("share_sum_field_score", lang, field=_field(f, lang), score=fmt_number(s, 1, lang))
                 for f, s in fig.strongest]
        out.append(Clause("strong", t("share_sum_strong", lang, fields=_and(parts, lang)),
                          {"fields": [f for f, _ in fig.strongest], "scores": [s for _, s in fig.strongest]}))
    if fig.fix_first:
        parts = [t("share_sum_fix_item", lang, text=short_text(criterion_texts.get(c.criterion_id, c.criterion_id)),
                   code=c.criterion_id, lost=fmt_number(c.lost, 2, lang)) for c in fig.fix_first]
        out.append(Clause("fix", t("share_sum_fix", lang, items=_and(parts, lang)),
                          {"criteria": [c.criterion_id for c in fig.fix_first],
                           "lost": [c.lost for c in fig.fix_first]}))
    if fig.rank_change is not None and fig.previous_year is not None:
        key = ("share_sum_up" if fig.rank_change > 0 else "share_sum_down" if fig.rank_change < 0
               else "share_sum_same")
        out.append(Clause("moved", t(key, lang, n=fmt_int(abs(fig.rank_change), lang), year=fig.previous_year),
                          {"rank_change": fig.rank_change, "year": fig.previous_year}))
    return out


def field_award_text(spm_field: str, place: int, lang: str) -> str:
    """ "Juara bidang Kesehatan" for first place, "Juara II bidang Kesehatan" for the next places."""
    if place == 1:
        return t("share_field_award_first", lang, field=t(f"field_{spm_field}", lang))
    return t("share_field_award", lang, place=ROMAN[place - 1], field=t(f"field_{spm_field}", lang))


def _and(parts: list[str], lang: str) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + t("share_sum_and", lang) + parts[-1]


def summary_text(clauses: list[Clause]) -> str:
    """The clauses as one sentence: "Peringkat 3 dari 28 …; kuat di …; naik 2 peringkat dari 2025." """
    if not clauses:
        return ""
    text = "; ".join(c.text for c in clauses)
    return text[0].upper() + text[1:] + "."
