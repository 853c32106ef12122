"""Model: the current model's card, and retraining with a side-by-side comparison (classify.app.pages.model)."""

from classify.app.pages import model

model.render()
