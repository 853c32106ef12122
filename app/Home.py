"""policy-classify: the app's front page (drawn by classify.app.pages.home)."""

from classify.app.pages import home

home.render()
