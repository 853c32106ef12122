"""classify.model.explain: the phrases behind a label, and document text shown inert."""

from classify.model.explain import safe_text, top_terms


def test_document_text_is_inert_markdown_and_html():
    """A link, an image or a tag in a document is shown as written, never made live."""
    shown = safe_text("![j](http://host/x.png) [官方通知](http://host/phish) <script>x</script>")
    assert "](" not in shown and "<script>" not in shown and "![" not in shown


def test_top_terms_are_distinct_phrases_of_two_or_more_characters(committed_model):
    """The Model page lists each phrase once, and never a lone character."""
    for label in committed_model.labels:
        terms = top_terms(committed_model, label, 20)
        assert terms["phrase"].is_unique and (terms["phrase"].str.len() > 1).all()
