"""The corridor status chart: one strip per corridor, coloured by status over time.

:func:`status_chart` draws the episodes of an analysis's timeline
(:mod:`geokit.timeline`) with matplotlib: open, at risk and blockaded
periods as coloured bars on a date axis, and the incidents that opened or
extended an episode as ticks. It returns a :class:`matplotlib.figure.Figure`
built without pyplot (no global state, no display needed), which Jupyter shows
inline; :func:`save_chart` writes it as a PNG and :func:`chart_data_uri`
gives it for embedding in an HTML page.
"""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geokit._io import atomic_path
from geokit.palette import STATUS_COLORS, STATUS_LABELS
from geokit.timeline import STATUSES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["status_chart", "save_chart", "chart_data_uri", "backtest_chart"]


def status_chart(episodes: pd.DataFrame, *, incidents: pd.DataFrame | None = None,
                 start: object = None, end: object = None, title: str | None = None,
                 order: Sequence[str] | None = None, width_in: float = 10.0,
                 people: pd.DataFrame | None = None) -> Figure:
    """A strip chart of each corridor's status over time.

    Parameters
    ----------
    episodes : DataFrame
        :attr:`geokit.analysis.Analysis.episodes` (``corridor``, ``status``,
        ``start``, ``end``, ``opened_by``, ``extended_by``).
    incidents : DataFrame, optional
        Incidents with ``event_id`` and ``date``: those named in an episode's
        ``opened_by`` / ``extended_by`` are drawn as ticks on its strip.
    start, end : date-like, optional
        The date axis (defaults to the episodes' span); episodes are clipped to it.
    title : str, optional
        Shown as text, never interpreted (matplotlib's mathtext and TeX are off for it and the corridor
        names, whatever the matplotlibrc says).
    order : sequence of str, optional
        Corridors from top to bottom (default: as in ``episodes``).
    width_in : float, default 10
        Figure width in inches (the height follows the number of corridors).
    people : DataFrame, optional
        :func:`geokit.timeline.people_cut_off` (``start``, ``end``, ``people``): drawn as a last strip,
        "people cut off", its height following the people in the towns cut off (each town once).

    Returns
    -------
    matplotlib.figure.Figure
        Shown inline in Jupyter (as a PNG), with or without pyplot.

    Examples
    --------
    >>> ep = pd.DataFrame({"corridor": ["Dakar-Bamako"] * 2, "status": ["at_risk", "blockaded"],
    ...     "start": pd.to_datetime(["2025-09-01", "2025-09-13"]), "end": pd.to_datetime(["2025-09-12", None]),
    ...     "opened_by": ["", "GK25-09-13"], "extended_by": ["", ""]})
    >>> fig = status_chart(ep, end="2025-09-30")
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['Dakar-Bamako']
    """
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.patches import Patch

    names = list(order) if order is not None else list(dict.fromkeys(episodes["corridor"]))
    peak = float(people["people"].max()) if people is not None and len(people) else 0.0
    lo = pd.Timestamp(start) if start is not None else episodes["start"].min()
    hi = pd.Timestamp(end) if end is not None else episodes["end"].max()
    if pd.isna(lo) or pd.isna(hi):
        raise ValueError("status_chart needs a start and an end date when the episodes do not give them")
    rows = len(names) + (people is not None and peak > 0)
    fig = _chart_figure()(figsize=(width_in, 0.9 + 0.45 * max(rows, 1)), layout="constrained")
    ax = fig.add_subplot()
    dates = incidents.set_index(incidents["event_id"].astype(str))["date"] if incidents is not None and \
        len(incidents) and "event_id" in incidents else pd.Series(dtype="datetime64[ns]")
    for row, name in enumerate(names):
        y = len(names) - 1 - row
        mine = episodes[episodes["corridor"] == name]
        for ep in mine.itertuples():
            a = max(pd.Timestamp(ep.start), lo)
            b = min(pd.Timestamp(ep.end) if pd.notna(ep.end) else hi, hi) + pd.Timedelta(days=1)
            if b <= a:
                continue
            ax.broken_barh([(date2num(a), date2num(b) - date2num(a))], (y - 0.35, 0.7),
                           facecolors=STATUS_COLORS[ep.status], edgecolor="white", linewidth=0.5)
            ids = f"{getattr(ep, 'opened_by', '') or ''} {getattr(ep, 'extended_by', '') or ''}".split()
            when = pd.to_datetime(dates.reindex(ids).dropna())
            when = when[(when >= lo) & (when <= hi)]
            if len(when):
                x = np.unique(date2num(when.dt.normalize() + pd.Timedelta(hours=12)))  # a tick per day
                ax.vlines(x, y + 0.38, y + 0.5, color="#222222", linewidth=1.2)
    strips = [_short(n, 40) for n in reversed(names)]
    if people is not None and peak > 0:  # people cut off: a step area scaled to its peak, below the corridors
        x = date2num(np.r_[pd.to_datetime(people["start"]).to_numpy(), (hi + pd.Timedelta(days=1)).to_datetime64()])
        y = np.r_[people["people"].to_numpy(float), people["people"].iloc[-1]] / peak * 0.7 - 1.35
        ax.fill_between(x, -1.35, y, step="post", color="#7a1f1f", alpha=0.8, linewidth=0)
        ax.text(x[int(np.argmax(y))], -0.62, f"{peak:,.0f}", fontsize=7, va="bottom", color="#7a1f1f")
        strips = ["people cut off", *strips]
    ax.set_yticks(range(len(strips)) if len(strips) == len(names) else range(-1, len(names)), strips)
    for label in ax.get_yticklabels():
        label.set_parse_math(False)  # names are text: a "$" must not start mathtext, nor TeX run on them
        label.set_usetex(False)  # (text.usetex in a matplotlibrc, even one in the working folder, would)
    ax.set_ylim(-0.6 - (len(strips) - len(names)), len(names) - 0.4)
    ax.set_xlim(date2num(lo), date2num(hi + pd.Timedelta(days=1)))
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    handles = [Patch(facecolor=STATUS_COLORS[s], label=STATUS_LABELS[s]) for s in STATUSES]
    handles.append(Patch(facecolor="#222222", label="incident (tick)"))
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, frameon=False, fontsize=8)
    if title:
        fig.suptitle(_short(title, 110), fontsize=11, parse_math=False, usetex=False)
    return fig


@functools.cache
def _chart_figure() -> type:
    """A matplotlib Figure that Jupyter shows as a PNG without pyplot (no global figure state)."""
    from matplotlib.figure import Figure

    class StatusChartFigure(Figure):
        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=100)
            return buffer.getvalue()

    return StatusChartFigure


def _short(text: object, width: int) -> str:
    """One line of at most ``width`` characters (long names would squeeze the chart to nothing)."""
    line = " ".join(str(text).split())
    return line if len(line) <= width else line[: width - 1] + "…"


def save_chart(fig: Figure, path: str | Path, *, dpi: int = 150) -> Path:
    """Write a chart as a PNG, atomically.

    Parameters
    ----------
    fig : Figure
        A chart (:func:`status_chart`).
    path : str or Path
        The PNG to write (atomically).
    dpi : int, default 150
        Dots per inch.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> png = save_chart(result.status_chart(), pathlib.Path(tempfile.mkdtemp()) / "status_chart.png")
    >>> png.read_bytes()[:4]
    b'\x89PNG'
    """
    out = Path(path)
    with atomic_path(out) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi)
    return out


def chart_data_uri(fig: Figure, *, dpi: int = 110) -> str:
    """A chart as a ``data:image/png;base64,...`` URI, for a self-contained HTML page.

    Parameters
    ----------
    fig : Figure
        A chart (:func:`status_chart`).
    dpi : int, default 110
        Dots per inch.

    Examples
    --------
    >>> chart_data_uri(result.status_chart())[:22]
    'data:image/png;base64,'
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def backtest_chart(table: pd.DataFrame, *, title: str = "Backtest", width_in: float = 9.0):
    """Hit rate and Brier score of each method at each origin of a backtest.

    Parameters
    ----------
    table : DataFrame
        From :func:`geokit.forecast.backtest`.
    title : str
    width_in : float
        Figure width in inches.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> t = pd.DataFrame({"origin": pd.to_datetime(["2025-09-01"] * 2), "method": ["hawkes", "persistence"],
    ...                   "n_next": [3, 3], "hit_rate": [0.67, 0.33], "brier": [0.01, 0.02]})
    >>> [a.get_ylabel() for a in backtest_chart(t).axes]
    ['hit rate (top 10% km)', 'Brier score']
    """
    fig = _chart_figure()(figsize=(width_in, 5.0))
    top, bottom = fig.subplots(2, 1, sharex=True)
    styles = {"hawkes": ("#b10026", "o", "Hawkes model"), "persistence": ("#555555", "s", "persistence"),
              "region_month": ("#3182bd", "^", "region-month rate")}
    for method, rows in table.groupby("method", sort=False):
        colour, marker, label = styles.get(str(method), ("#999999", ".", str(method)))
        top.plot(rows["origin"], rows["hit_rate"], marker=marker, color=colour, label=label, lw=1)
        bottom.plot(rows["origin"], rows["brier"], marker=marker, color=colour, label=label, lw=1)
    top.set_ylabel("hit rate (top 10% km)")
    top.set_ylim(-0.05, 1.05)
    bottom.set_ylabel("Brier score")
    top.legend(loc="upper left", fontsize=8)
    top.set_title(title.replace("$", r"\$"), fontsize=11)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig
