"""People's labels: the append-only annotation store, stand-off labels of external corpora, agreement
between coders, the queues of what to label next, who may label.
"""

# The queues of what to label next. Kept here, free of pandas, so the command line offers them without it.
QUEUES = {
    "uncertain": "most uncertain first (the model is least sure)",
    "model_vs_gold": "the model and the gold label disagree",
    "annotators_disagree": "two annotators disagree (adjudicate)",
    "unlabelled": "not yet labelled",
    "random": "random order",
    "check": "check this city: a simple random sample of one jurisdiction (unbiased; corrects its cells)",
}
