from classify.ingest.normalize import normalize


def test_traditional_characters_become_simplified():
    """Rule 8 of the codebook: traditional text is coded as its simplified form."""
    assert normalize("成都市科學技術局籌建市委科技委員會") == "成都市科学技术局筹建市委科技委员会"


def test_full_width_punctuation_and_digits_become_half_width():
    """Full-width forms from web pages match the half-width forms the model was trained on."""
    assert normalize("（一）新增１８家；力争：１０％") == "(一)新增18家;力争:10%"


def test_whitespace_runs_collapse_to_one_space_and_ends_are_trimmed():
    """Ideographic spaces, tabs and line breaks inside a line do not change what a unit says."""
    assert normalize("\u3000 加快\t\t建设 \n 实验室  ") == "加快 建设 实验室"


def test_simplified_text_is_left_as_it_is():
    """Normalising twice changes nothing."""
    text = "建设张江、浦江、临港三大国家实验室"
    assert normalize(normalize(text)) == text
