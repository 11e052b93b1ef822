"""Plotly figure builders for the leader and delegation pages: plain functions, frames and dicts in, figures out.

None of them touches Streamlit or the store, so tests call them directly. Every label and hover text is
translated with `ui.i18n.t` in the language passed in, numbers are pre-formatted with `ui.fmt` (hover texts) and
the axes use Indonesian separators through `layout.separators`; every SPM field is drawn in its `FIELD_COLOURS`
colour. League-table styling lives in `ui/charts_tables.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
import polars as pl

from ui.fmt import fmt_number
from ui.i18n import t
from ui.theme import AVERAGE_COLOUR, SCORECARD_SECTIONS, SERIES_COLOURS, ScoreBands, field_colour

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


def base_layout(fig: go.Figure, lang: str, title: str | None = None, height: int = 380) -> go.Figure:
    """Shared look: Indonesian/English separators, compact margins, legend below the plot."""
    fig.update_layout(
        title={"text": title} if title else None,
        separators=",." if lang == "id" else ".,",
        height=height,
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        template=LIGHT_TEMPLATE,
        font={"size": 13},
    )
    return fig


def _coloured_label(section: str, lang: str) -> str:
    return f"<span style='color:{field_colour(section)}'><b>{field_label(section, lang)}</b></span>"


def radar_chart(series: Sequence[tuple[str, Mapping[str, float | None]]], lang: str,
                average: Mapping[str, float | None] | None = None, fields: Sequence[str] = SPM_RADAR,
                title: str | None = None) -> go.Figure:
    """The six-field radar: one closed line per named series (percent of maximum), the average dashed in grey.

    Axis labels carry their field colour, so the radar reads the same as the bars on the page.
    """
    theta = [_coloured_label(f, lang) for f in fields]
    fig = go.Figure()
    traces = list(series)
    if average is not None:
        traces.append((t("pages_average", lang), average))
    for i, (name, values) in enumerate(traces):
        is_avg = average is not None and i == len(traces) - 1
        r = [values.get(f) for f in fields]
        text = [f"{field_label(f, lang)}: {fmt_number(v, 1, lang)} %" for f, v in zip(fields, r, strict=True)]
        fig.add_trace(go.Scatterpolar(
            r=r + r[:1], theta=theta + theta[:1], name=name, mode="lines+markers",
            line={"color": AVERAGE_COLOUR if is_avg else SERIES_COLOURS[i % len(SERIES_COLOURS)],
                  "dash": "dash" if is_avg else "solid", "width": 2 if is_avg else 3},
            fill=None if is_avg else "toself", opacity=0.85,
            text=text + text[:1], hovertemplate="<b>" + name + "</b><br>%{text}<extra></extra>",
        ))
    fig.update_layout(polar={"radialaxis": {"range": [0, 100], "ticksuffix": " %", "angle": 90,
                                            "tickfont": {"size": 10}}})
    fig = base_layout(fig, lang, title, height=420)
    # Long field names ("Perumahan Rakyat", "Public Order & Protection") sit left and right of the circle.
    return fig.update_layout(margin={"l": 110, "r": 110})


def field_bars(values: Mapping[str, float | None], lang: str, sections: Sequence[str] = SCORECARD_SECTIONS,
               reference: Mapping[str, float | None] | None = None, reference_name: str | None = None,
               title: str | None = None) -> go.Figure:
    """Horizontal bars, one per section in its colour (percent of maximum), with an optional reference marker."""
    shown = [s for s in sections if s in values]
    labels = [field_label(s, lang) for s in shown]
    vals = [values[s] for s in shown]
    fig = go.Figure(go.Bar(
        x=vals, y=labels, orientation="h", marker={"color": [field_colour(s) for s in shown],
                                                   "line": {"color": "#333333", "width": 0.5}},
        text=[fmt_number(v, 1, lang) for v in vals], textposition="outside", cliponaxis=False,
        name=t("pages_score", lang),
        hovertemplate="%{y}: %{text} %<extra></extra>",
    ))
    if reference is not None:
        ref = [reference.get(s) for s in shown]
        name = reference_name or t("pages_average", lang)
        fig.add_trace(go.Scatter(
            x=ref, y=labels, mode="markers", name=name,
            marker={"symbol": "line-ns", "size": 22, "line": {"width": 3, "color": AVERAGE_COLOUR}},
            text=[fmt_number(v, 1, lang) for v in ref],
            hovertemplate=name + " · %{y}: %{text} %<extra></extra>",
        ))
    fig.update_xaxes(range=[0, 105], ticksuffix=" %")
    fig.update_yaxes(autorange="reversed")
    return base_layout(fig, lang, title, height=70 + 36 * len(shown))


def compare_bars(frame: pl.DataFrame, lang: str, name_col: str = "name",
                 sections: Sequence[str] = SCORECARD_SECTIONS, title: str | None = None) -> go.Figure:
    """Grouped bars: one group per compared posyandu or region, one bar per section in the section's colour."""
    fig = go.Figure()
    names = frame[name_col].to_list()
    for s in sections:
        if s not in frame.columns:
            continue
        vals = frame[s].to_list()
        fig.add_trace(go.Bar(
            x=names, y=vals, name=field_label(s, lang), marker={"color": field_colour(s)},
            text=[fmt_number(v, 1, lang) for v in vals],
            hovertemplate="%{x}<br>" + field_label(s, lang) + ": %{text} %<extra></extra>", textposition="none",
        ))
    fig.update_layout(barmode="group")
    fig.update_yaxes(range=[0, 100], ticksuffix=" %")
    return base_layout(fig, lang, title, height=420)


def score_histogram(totals: Sequence[float | None], lang: str, bands: ScoreBands | None = None,
                    title: str | None = None) -> go.Figure:
    """Distribution of the nilai akhir; the band cut-offs are drawn as dotted lines so leaders see the strata."""
    vals = [v for v in totals if v is not None]
    fig = go.Figure(go.Histogram(
        x=vals, xbins={"start": 0, "end": 100, "size": 2.5}, marker={"color": SERIES_COLOURS[0]},
        name=t("pages_entrants", lang),
        hovertemplate=t("pages_score", lang) + " %{x}<br>" + t("pages_entrants", lang) + ": %{y}<extra></extra>",
    ))
    for cut in (bands.thresholds if bands else ()):
        fig.add_vline(x=cut, line={"dash": "dot", "color": AVERAGE_COLOUR})
    fig.update_xaxes(title=t("pages_total_pct", lang))
    fig.update_yaxes(title=t("pages_entrants", lang))
    return base_layout(fig, lang, title, height=320)


def change_bars(current: Mapping[str, float | None], previous: Mapping[str, float | None], lang: str,
                sections: Sequence[str] = SCORECARD_SECTIONS, title: str | None = None) -> go.Figure:
    """Change of the average per section against last year, in points of percent, each bar in its field colour."""
    shown = [s for s in sections if current.get(s) is not None and previous.get(s) is not None]
    deltas = [current[s] - previous[s] for s in shown]  # type: ignore[operator]
    labels = [field_label(s, lang) for s in shown]
    fig = go.Figure(go.Bar(
        x=deltas, y=labels, orientation="h", marker={"color": [field_colour(s) for s in shown]},
        text=[("+" if d > 0 else "") + fmt_number(d, 1, lang) for d in deltas], textposition="outside",
        cliponaxis=False,
        customdata=[[fmt_number(previous[s], 1, lang), fmt_number(current[s], 1, lang)] for s in shown],
        hovertemplate="%{y}: %{customdata[0]} → %{customdata[1]} (%{text})<extra></extra>",
    ))
    span = max([abs(d) for d in deltas] + [1.0]) * 1.3
    fig.update_xaxes(range=[-span, span], zeroline=True, zerolinecolor="#333333",
                     title=t("pages_change_points", lang))
    fig.update_yaxes(autorange="reversed")
    return base_layout(fig, lang, title, height=70 + 34 * max(len(shown), 1))


def history_chart(history: pl.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """A posyandu's total across years (columns: year, total, level, rank): one point per contest entered."""
    h = history.sort("year")
    fig = go.Figure(go.Scatter(
        x=h["year"].to_list(), y=h["total"].to_list(), mode="lines+markers+text",
        line={"color": SERIES_COLOURS[0], "width": 3}, marker={"size": 10},
        text=[fmt_number(v, 1, lang) for v in h["total"].to_list()], textposition="top center",
        customdata=[[t(f"level_{lv}", lang), "–" if r is None else str(r)]
                    for lv, r in zip(h["level"].to_list(), h["rank"].to_list(), strict=True)],
        hovertemplate="%{x} · %{customdata[0]}<br>" + t("pages_total", lang) + ": %{text}<br>"
                      + t("pages_rank", lang) + ": %{customdata[1]}<extra></extra>",
        name=t("pages_total", lang),
    ))
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_yaxes(range=[0, 105], ticksuffix=" %")
    return base_layout(fig, lang, title, height=300)


def severity_chart(severity: pl.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Judge severity with its uncertainty: columns name, severity, lo, hi (points; negative = strict), flagged."""
    s = severity.sort("severity")
    sev, lo, hi = s["severity"].to_list(), s["lo"].to_list(), s["hi"].to_list()
    flagged = s["flagged"].to_list() if "flagged" in s.columns else [False] * s.height
    fig = go.Figure(go.Scatter(
        x=sev, y=s["name"].to_list(), mode="markers",
        marker={"size": 10, "color": [SERIES_COLOURS[1] if f else SERIES_COLOURS[0] for f in flagged],
                "symbol": ["diamond" if f else "circle" for f in flagged]},
        error_x={"type": "data", "symmetric": False, "array": [h - v for h, v in zip(hi, sev, strict=True)],
                 "arrayminus": [v - low for v, low in zip(sev, lo, strict=True)], "color": AVERAGE_COLOUR},
        customdata=[[fmt_number(v, 2, lang), fmt_number(a, 2, lang), fmt_number(b, 2, lang)]
                    for v, a, b in zip(sev, lo, hi, strict=True)],
        hovertemplate="%{y}<br>" + t("pages_severity", lang)
                      + ": %{customdata[0]} (%{customdata[1]} … %{customdata[2]})<extra></extra>",
        name=t("pages_severity", lang),
    ))
    fig.add_vline(x=0, line={"color": "#333333"})
    fig.update_xaxes(title=t("pages_severity_axis", lang))
    return base_layout(fig, lang, title, height=max(300, 60 + 24 * s.height))


def rank_shift_chart(ranks: pl.DataFrame, lang: str, top: int = 20, title: str | None = None) -> go.Figure:
    """Slope chart of rank before (raw) and after severity adjustment: columns name, rank_raw, rank_adjusted."""
    r = ranks.sort("rank_raw").head(top)
    before, after = t("pages_rank_raw", lang), t("pages_rank_adjusted", lang)
    fig = go.Figure()
    for row in r.iter_rows(named=True):
        moved = row["rank_raw"] != row["rank_adjusted"]
        fig.add_trace(go.Scatter(
            x=[before, after], y=[row["rank_raw"], row["rank_adjusted"]], mode="lines+markers+text",
            line={"color": SERIES_COLOURS[1] if moved else AVERAGE_COLOUR, "width": 2.5 if moved else 1},
            text=[row["name"], ""], textposition="middle left", showlegend=False,
            hovertemplate=f"{row['name']}<br>{before}: {row['rank_raw']} → {after}: {row['rank_adjusted']}"
                          "<extra></extra>",
        ))
    fig.update_yaxes(autorange="reversed", title=t("pages_rank", lang), dtick=1)
    fig.update_xaxes(range=[-1.2, 1.2])
    return base_layout(fig, lang, title, height=max(320, 40 + 26 * r.height))


def peer_chart(peers: pl.DataFrame, lang: str, highlight: str | None = None, title: str | None = None,
               colour: str | None = None, height: int | None = None) -> go.Figure:
    """Scores of a posyandu and its peers as horizontal bars (columns name, total), highest first; the subject
    (`highlight`) stands out in the second series colour, the others in `colour` (e.g. the field's)."""
    p = peers.sort("total", descending=True, nulls_last=True)
    names, totals = p["name"].to_list(), p["total"].to_list()
    fig = go.Figure(go.Bar(
        x=totals, y=names, orientation="h", text=[fmt_number(v, 1, lang) for v in totals],
        textposition="outside", cliponaxis=False,
        marker={"color": [SERIES_COLOURS[1] if n == highlight else (colour or SERIES_COLOURS[0]) for n in names]},
        hovertemplate="%{y}: %{text} %<extra></extra>", name=t("pages_total", lang),
    ))
    fig.update_xaxes(range=[0, 105], ticksuffix=" %")
    fig.update_yaxes(autorange="reversed")
    return base_layout(fig, lang, title, height=height or 70 + 30 * max(p.height, 1))
