"""Annotate: label sentences, the most useful first (classify.app.pages.annotate)."""

from classify.app.pages import annotate

annotate.render()
