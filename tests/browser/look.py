"""What issue 16's browser tests read from a drawn page: where Plotly put things, and text contrast.

Each function runs a little JavaScript in the page and returns plain numbers (CSS pixels of the
window), so a test asserts what a person sees: a country outline inside the drawn area, a label
not cut, a button not on a title, a text dark enough on what is behind it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

# The chart (a `.js-plotly-plot` element) whose title is `title`.
FIND = """(title) => [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')]
    .findIndex(gd => gd.layout && gd.layout.title
        && gd.layout.title.text.replace(/<br>/g, ' ').replace(/<[^>]+>/g, '') === title)"""

GEOMETRY = """(gd) => {
    const box = (el) => { const r = el.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height}; };
    const plot = gd.querySelector('.nsewdrag');
    const traces = [...gd.querySelectorAll('g.trace')].map((g) => {
        const trace = g.__data__ && g.__data__[0] && g.__data__[0].trace;
        const fill = g.querySelector('path.js-fill');
        return {name: trace ? String(trace.text || trace.name || '') : '', fill: fill ? box(fill) : null,
                points: [...g.querySelectorAll('path.point')].map(box)};
    });
    const legend = gd.querySelector('g.legend');
    const title = gd.querySelector('.gtitle');
    return {
        figure: box(gd), plot: plot ? box(plot) : null, traces,
        legend: legend ? box(legend) : null, title: title ? box(title) : null,
        annotations: [...gd.querySelectorAll('g.annotation-text-g')].map((g) => ({text: g.textContent, box: box(g)})),
        buttons: [...gd.querySelectorAll('.modebar-btn')].map((b) => ({title: b.getAttribute('data-title'),
                                                                      box: box(b)})),
    };
}"""

# Every text in the main area and the sidebar that is drawn, with its contrast against what is behind it:
# its colour (and the opacity of every ancestor) laid over the backgrounds of its ancestors, as WCAG does.
CONTRAST = """() => {
    const parse = (s) => { const m = /rgba?\\(([^)]+)\\)/.exec(s || ''); if (!m) return null;
        const p = m[1].split(',').map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
    const over = (top, a, under) => ({r: top.r * a + under.r * (1 - a), g: top.g * a + under.g * (1 - a),
                                      b: top.b * a + under.b * (1 - a)});
    const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
    const out = [];
    const roots = document.querySelectorAll('[data-testid="stMain"], [data-testid="stSidebar"]');
    for (const root of roots) for (const el of root.querySelectorAll('*')) {
        const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
        if (!own || el.closest('[data-testid="stIconMaterial"], [inert], [disabled], [aria-disabled="true"]')) continue;
        if (el.closest('.hoverlayer, .modebar, [data-testid="stTooltipContent"]')) continue;
        const rect = el.getBoundingClientRect();
        if (!rect.width || !rect.height) continue;
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || style.display === 'none') continue;
        const chain = []; for (let e = el; e; e = e.parentElement) chain.unshift(e);
        let bg = {r: 255, g: 255, b: 255}; let alpha = 1;
        for (const e of chain) {
            const cs = getComputedStyle(e);
            const c = parse(cs.backgroundColor);
            if (c && c.a > 0 && !(e instanceof SVGElement)) bg = over(c, c.a, bg);
            alpha *= parseFloat(cs.opacity);
        }
        const isSvg = el instanceof SVGElement;
        const colour = parse(isSvg ? style.fill : style.color);
        if (!colour) continue;
        const a = colour.a * alpha * (isSvg ? parseFloat(style.fillOpacity || '1') : 1);
        const fg = over(colour, a, bg);
        const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
        out.push({text: el.textContent.trim().slice(0, 60), ratio: (hi + 0.05) / (lo + 0.05),
                  tag: el.tagName, testid: (el.closest('[data-testid]') || el).getAttribute('data-testid')});
    }
    return out;
}"""


def chart(page: Page, title: str) -> Locator:
    """The drawn chart whose title is `title` (line breaks of a wrapped title read as spaces)."""
    index = page.evaluate(FIND, title)
    assert index >= 0, f"no chart titled {title!r}"
    return page.get_by_test_id("stMain").locator(".js-plotly-plot").nth(index)


def geometry(chart_: Locator) -> dict[str, Any]:
    chart_.scroll_into_view_if_needed()
    return chart_.evaluate(GEOMETRY)


def inside(inner: dict[str, float], outer: dict[str, float], slack: float = 1.0) -> bool:
    return (inner["left"] >= outer["left"] - slack and inner["right"] <= outer["right"] + slack
            and inner["top"] >= outer["top"] - slack and inner["bottom"] <= outer["bottom"] + slack)


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"]
                or b["bottom"] <= a["top"])


def contrasts(page: Page) -> list[dict[str, Any]]:
    return page.evaluate(CONTRAST)
