"""Documents: upload or paste a policy text, see it tagged at once (classify.app.pages.documents)."""

from classify.app.pages import documents

documents.render()
