"""The app's pages as render functions, one per view, over the cached loaders; `app/pages/*.py` only call
`render()` of the page's module, so each view can be read, reused and tested on its own."""
