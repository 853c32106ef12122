"""Compare: distinctive measures, commitments, similar playbooks, trust, a report (classify.app.pages.compare)."""

from classify.app.pages import compare

compare.render()
