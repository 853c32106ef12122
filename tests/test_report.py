"""classify.analysis.report: the HTML report shows what documents and names hold as text, never as markup."""

from classify.tables import write_table

from conftest import invoke

MARKUP = "<script>alert(1)</script> ![x](http://127.0.0.1:8501/x.png) [通知](http://127.0.0.1/phish)"


def test_the_report_shows_markup_in_text_title_and_jurisdiction_as_text(tmp_path, tagged_corpus):
    tagged = tagged_corpus.copy()
    place = "<script>x</script>市"
    tagged.loc[tagged.index[:40], "jurisdiction"] = place
    tagged.loc[tagged.index[:40], "text"] = MARKUP
    tagged["title"] = MARKUP
    write_table(tagged, tmp_path / "pred.csv")
    result = invoke("report", "--jurisdictions", f"{place},成都市", "--output", tmp_path / "r.html",
                    "--pred", tmp_path / "pred.csv")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script" not in page and "&lt;script&gt;" in page
    assert 'src="http' not in page and "href=" not in page.replace('href="#', "")  # nothing points out
