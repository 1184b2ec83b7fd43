"""The print-ready brief: what a page shows (published results, charts, money, citation) as one PDF.

`content` composes the HTML from plain values (every data string escaped), `images` turns the
pages' own Plotly figures into SVG through kaleido and Chromium, `pdf` renders with WeasyPrint,
fetching nothing but the images the brief embeds itself. Public: it never holds a seizure record.
"""
