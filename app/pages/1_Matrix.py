"""Matrix: jurisdictions × measures, filters, and the sentences behind each cell (classify.app.pages.matrix)."""

from classify.app.pages import matrix

matrix.render()
