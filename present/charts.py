"""Plotly figure builders for the leader and delegation pages: plain functions, frames and dicts in, figures out.

None of them touches Streamlit or the store, so tests call them directly. Every label and hover text is
translated with `ui.i18n.t` in the language passed in, numbers are pre-formatted with `ui.fmt` (hover texts) and
the axes use Indonesian separators through `layout.separators`; every SPM field is drawn in its `FIELD_COLOURS`
colour. League-table styling lives in `ui/charts_tables.py`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
import polars as pl

from present.fmt import fmt_number
from present.i18n import t
from present.theme import AVERAGE_COLOUR, SCORECARD_SECTIONS, SERIES_COLOURS, ScoreBands, field_colour
from scoring.fields import LEVELS

SPM_RADAR: tuple[str, ...] = SCORECARD_SECTIONS[:6]

# The look of Plotly's "plotly_white", layout part only. Naming the built-in template costs ~90 ms per figure
# (Plotly deep-copies and validates its defaults for every trace type); this subset costs ~5 ms and draws the same
# for the bar, scatter, histogram and polar charts used here.
_GRID = "#EBF0F8"
_AXIS = {"gridcolor": _GRID, "linecolor": _GRID, "ticks": "", "zerolinecolor": _GRID, "automargin": True,
         "zerolinewidth": 2, "title": {"standoff": 15}}
LIGHT_TEMPLATE = go.layout.Template(layout={
    "plot_bgcolor": "white", "paper_bgcolor": "white", "xaxis": _AXIS, "yaxis": _AXIS,
    "polar": {"bgcolor": "white", "angularaxis": {"gridcolor": _GRID, "linecolor": _GRID, "ticks": ""},
              "radialaxis": {"gridcolor": _GRID, "linecolor": _GRID, "ticks": ""}},
    "hoverlabel": {"align": "left"}, "font": {"color": "#2a3f5f"}, "title": {"x": 0.05},
})


def field_label(section: str, lang: str) -> str:
    """The translated name of a field or section (`field_<id>` in the core catalogue)."""
    return t(f"field_{section}", lang)


def layout(lang: str, title: str | None = None, height: int = 380, **extra: object) -> dict:
    """Shared look as a layout dict: Indonesian/English separators, compact margins, legend below the plot.

    Builders pass the whole layout to the `go.Figure` constructor at once: every `update_layout`/`update_xaxes`
    call re-validates the figure, and building in one go is 4–8 times faster (~5 ms a figure).
    """
    out: dict = {
        "separators": ",." if lang == "id" else ".,",
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        "template": LIGHT_TEMPLATE,
        "font": {"size": 13},
    }
    if title:
        out["title"] = {"text": title}
    for key, value in extra.items():
        out[key] = {**out[key], **value} if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def label_text(value: object) -> str:
    """A user's text (a posyandu or judge name) as Plotly shows it: Plotly reads a subset of HTML in every label
    (<a href>, <b>, <br>), so the text is HTML-escaped and "%{" cannot open a hover-template field."""
    return html.escape("" if value is None else str(value), quote=False).replace("%{", "%&#123;")


def _coloured_label(section: str, lang: str) -> str:
    return f"<span style='color:{field_colour(section)}'><b>{field_label(section, lang)}</b></span>"


def radar_chart(series: Sequence[tuple[str, Mapping[str, float | None]]], lang: str,
                average: Mapping[str, float | None] | None = None, fields: Sequence[str] = SPM_RADAR,
                title: str | None = None) -> go.Figure:
    """The six-field radar: one closed line per named series (percent of maximum), the average dashed in grey.

    Axis labels carry their field colour, so the radar reads the same as the bars on the page.
    """
    theta = [_coloured_label(f, lang) for f in fields]
    data = []
    traces = list(series)
    if average is not None:
        traces.append((t("pages_average", lang), average))
    for i, (raw_name, values) in enumerate(traces):
        is_avg = average is not None and i == len(traces) - 1
        name = raw_name if is_avg else label_text(raw_name)
        r = [values.get(f) for f in fields]
        text = [f"{field_label(f, lang)}: {fmt_number(v, 1, lang)} %" for f, v in zip(fields, r, strict=True)]
        data.append(go.Scatterpolar(
            r=r + r[:1], theta=theta + theta[:1], name=name, mode="lines+markers",
            line={"color": AVERAGE_COLOUR if is_avg else SERIES_COLOURS[i % len(SERIES_COLOURS)],
                  "dash": "dash" if is_avg else "solid", "width": 2 if is_avg else 3},
            fill=None if is_avg else "toself", opacity=0.85,
            text=text + text[:1], hovertemplate="<b>" + name + "</b><br>%{text}<extra></extra>",
        ))
    # Long field names ("Perumahan Rakyat", "Public Order & Protection") sit left and right of the circle.
    return go.Figure(data, layout(lang, title, height=420, margin={"l": 110, "r": 110},
                                  polar={"radialaxis": {"range": [0, 100], "ticksuffix": " %", "angle": 90,
                                                        "tickfont": {"size": 10}}}))


def field_bars(values: Mapping[str, float | None], lang: str, sections: Sequence[str] = SCORECARD_SECTIONS,
               reference: Mapping[str, float | None] | None = None, reference_name: str | None = None,
               title: str | None = None) -> go.Figure:
    """Horizontal bars, one per section in its colour (percent of maximum), with an optional reference marker."""
    shown = [s for s in sections if s in values]
    labels = [field_label(s, lang) for s in shown]
    vals = [values[s] for s in shown]
    data = [go.Bar(
        x=vals, y=labels, orientation="h", marker={"color": [field_colour(s) for s in shown],
                                                   "line": {"color": "#333333", "width": 0.5}},
        text=[fmt_number(v, 1, lang) for v in vals], textposition="outside", cliponaxis=False,
        name=t("pages_score", lang),
        hovertemplate="%{y}: %{text} %<extra></extra>",
    )]
    if reference is not None:
        ref = [reference.get(s) for s in shown]
        name = reference_name or t("pages_average", lang)
        data.append(go.Scatter(
            x=ref, y=labels, mode="markers", name=name,
            marker={"symbol": "line-ns", "size": 22, "line": {"width": 3, "color": AVERAGE_COLOUR}},
            text=[fmt_number(v, 1, lang) for v in ref],
            hovertemplate=name + " · %{y}: %{text} %<extra></extra>",
        ))
    return go.Figure(data, layout(lang, title, height=70 + 36 * len(shown),
                                  xaxis={"range": [0, 105], "ticksuffix": " %"}, yaxis={"autorange": "reversed"}))


def compare_bars(frame: pl.DataFrame, lang: str, name_col: str = "name",
                 sections: Sequence[str] = SCORECARD_SECTIONS, title: str | None = None) -> go.Figure:
    """Grouped bars: one group per compared posyandu or region, one bar per section in the section's colour."""
    data = []
    names = [label_text(n) for n in frame[name_col].to_list()]
    for s in sections:
        if s not in frame.columns:
            continue
        vals = frame[s].to_list()
        data.append(go.Bar(
            x=names, y=vals, name=field_label(s, lang), marker={"color": field_colour(s)},
            text=[fmt_number(v, 1, lang) for v in vals],
            hovertemplate="%{x}<br>" + field_label(s, lang) + ": %{text} %<extra></extra>", textposition="none",
        ))
    return go.Figure(data, layout(lang, title, height=420, barmode="group",
                                  yaxis={"range": [0, 100], "ticksuffix": " %"}))


def score_histogram(totals: Sequence[float | None], lang: str, bands: ScoreBands | None = None,
                    title: str | None = None) -> go.Figure:
    """Distribution of the nilai akhir; the band cut-offs are drawn as dotted lines so leaders see the strata."""
    vals = [v for v in totals if v is not None]
    hist = go.Histogram(
        x=vals, xbins={"start": 0, "end": 100, "size": 2.5}, marker={"color": SERIES_COLOURS[0]},
        name=t("pages_entrants", lang),
        hovertemplate=t("pages_score", lang) + " %{x}<br>" + t("pages_entrants", lang) + ": %{y}<extra></extra>",
    )
    cuts = [{"type": "line", "x0": cut, "x1": cut, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
             "line": {"dash": "dot", "color": AVERAGE_COLOUR}} for cut in (bands.thresholds if bands else ())]
    return go.Figure([hist], layout(lang, title, height=320, shapes=cuts,
                                    xaxis={"title": {"text": t("pages_total_pct", lang)}},
                                    yaxis={"title": {"text": t("pages_entrants", lang)}}))


def change_bars(current: Mapping[str, float | None], previous: Mapping[str, float | None], lang: str,
                sections: Sequence[str] = SCORECARD_SECTIONS, title: str | None = None) -> go.Figure:
    """Change of the average per section against last year, in points of percent, each bar in its field colour."""
    shown = [s for s in sections if current.get(s) is not None and previous.get(s) is not None]
    deltas = [current[s] - previous[s] for s in shown]  # type: ignore[operator]
    labels = [field_label(s, lang) for s in shown]
    bars = go.Bar(
        x=deltas, y=labels, orientation="h", marker={"color": [field_colour(s) for s in shown]},
        text=[("+" if d > 0 else "") + fmt_number(d, 1, lang) for d in deltas], textposition="outside",
        cliponaxis=False,
        customdata=[[fmt_number(previous[s], 1, lang), fmt_number(current[s], 1, lang)] for s in shown],
        hovertemplate="%{y}: %{customdata[0]} → %{customdata[1]} (%{text})<extra></extra>",
    )
    span = max([abs(d) for d in deltas] + [1.0]) * 1.3
    return go.Figure([bars], layout(lang, title, height=70 + 34 * max(len(shown), 1),
                                    xaxis={"range": [-span, span], "zeroline": True, "zerolinecolor": "#333333",
                                           "title": {"text": t("pages_change_points", lang)}},
                                    yaxis={"autorange": "reversed"}))


def history_chart(history: pl.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """A posyandu's total across years (columns: year, total, level, rank): one line per contest level.

    A posyandu often enters the kecamatan and the kabupaten contest in the same year; their totals come from
    different judges and fields of entrants, so each level gets its own line instead of one zigzag.
    """
    data = []
    present = history["level"].unique().to_list()
    ordered = [lv for lv in LEVELS if lv in present] + sorted(lv for lv in present if lv not in LEVELS)
    for i, lv in enumerate(ordered):
        h = history.filter(pl.col("level") == lv).sort("year")
        totals = h["total"].to_list()
        data.append(go.Scatter(
            x=h["year"].to_list(), y=totals, mode="lines+markers+text", name=t(f"level_{lv}", lang),
            line={"color": SERIES_COLOURS[i % len(SERIES_COLOURS)], "width": 3}, marker={"size": 10},
            text=[fmt_number(v, 1, lang) for v in totals], textposition="top center",
            customdata=[[t(f"level_{lv}", lang), "–" if r is None else str(r)] for r in h["rank"].to_list()],
            hovertemplate="%{x} · %{customdata[0]}<br>" + t("pages_total", lang) + ": %{text}<br>"
                          + t("pages_rank", lang) + ": %{customdata[1]}<extra></extra>",
        ))
    return go.Figure(data, layout(lang, title, height=320, xaxis={"dtick": 1, "tickformat": "d"},
                                  yaxis={"range": [0, 105], "ticksuffix": " %"}))


def severity_chart(severity: pl.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Judge severity with its uncertainty: columns name, severity, lo, hi (points; negative = strict), flagged."""
    s = severity.sort("severity")
    sev, lo, hi = s["severity"].to_list(), s["lo"].to_list(), s["hi"].to_list()
    flagged = s["flagged"].to_list() if "flagged" in s.columns else [False] * s.height
    dots = go.Scatter(
        x=sev, y=[label_text(n) for n in s["name"].to_list()], mode="markers",
        marker={"size": 10, "color": [SERIES_COLOURS[1] if f else SERIES_COLOURS[0] for f in flagged],
                "symbol": ["diamond" if f else "circle" for f in flagged]},
        error_x={"type": "data", "symmetric": False, "array": [h - v for h, v in zip(hi, sev, strict=True)],
                 "arrayminus": [v - low for v, low in zip(sev, lo, strict=True)], "color": AVERAGE_COLOUR},
        customdata=[[fmt_number(v, 2, lang), fmt_number(a, 2, lang), fmt_number(b, 2, lang)]
                    for v, a, b in zip(sev, lo, hi, strict=True)],
        hovertemplate="%{y}<br>" + t("pages_severity", lang)
                      + ": %{customdata[0]} (%{customdata[1]} … %{customdata[2]})<extra></extra>",
        name=t("pages_severity", lang),
    )
    zero = {"type": "line", "x0": 0, "x1": 0, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
            "line": {"color": "#333333"}}
    return go.Figure([dots], layout(lang, title, height=max(300, 60 + 24 * s.height), shapes=[zero],
                                    xaxis={"title": {"text": t("pages_severity_axis", lang)}}))


def rank_shift_chart(ranks: pl.DataFrame, lang: str, top: int = 20, title: str | None = None) -> go.Figure:
    """Slope chart of rank before (raw) and after severity adjustment: columns name, rank_raw, rank_adjusted."""
    r = ranks.sort("rank_raw").head(top)
    before, after = t("pages_rank_raw", lang), t("pages_rank_adjusted", lang)
    data = []
    for row in r.iter_rows(named=True):
        moved = row["rank_raw"] != row["rank_adjusted"]
        data.append(go.Scatter(
            x=[before, after], y=[row["rank_raw"], row["rank_adjusted"]], mode="lines+markers+text",
            line={"color": SERIES_COLOURS[1] if moved else AVERAGE_COLOUR, "width": 2.5 if moved else 1},
            text=[label_text(row["name"]), ""], textposition="middle left", showlegend=False,
            hovertemplate=f"{label_text(row['name'])}<br>{before}: {row['rank_raw']} → {after}: {row['rank_adjusted']}"
                          "<extra></extra>",
        ))
    return go.Figure(data, layout(lang, title, height=max(320, 40 + 26 * r.height), xaxis={"range": [-1.2, 1.2]},
                                  yaxis={"autorange": "reversed", "title": {"text": t("pages_rank", lang)},
                                         "dtick": 1}))


def peer_chart(peers: pl.DataFrame, lang: str, highlight: str | None = None, title: str | None = None,
               colour: str | None = None, height: int | None = None) -> go.Figure:
    """Scores of a posyandu and its peers as horizontal bars (columns name, total), highest first; the subject
    (`highlight`) stands out in the second series colour, the others in `colour` (e.g. the field's)."""
    p = peers.sort("total", descending=True, nulls_last=True)
    raw, totals = p["name"].to_list(), p["total"].to_list()
    names = [label_text(n) for n in raw]
    bars = go.Bar(
        x=totals, y=names, orientation="h", text=[fmt_number(v, 1, lang) for v in totals],
        textposition="outside", cliponaxis=False,
        marker={"color": [SERIES_COLOURS[1] if n == highlight else (colour or SERIES_COLOURS[0]) for n in raw]},
        hovertemplate="%{y}: %{text} %<extra></extra>", name=t("pages_total", lang),
    )
    return go.Figure([bars], layout(lang, title, height=height or 70 + 30 * max(p.height, 1),
                                    xaxis={"range": [0, 105], "ticksuffix": " %"}, yaxis={"autorange": "reversed"}))
