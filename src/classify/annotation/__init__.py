"""People's labels: the append-only annotation store, stand-off labels of external corpora, agreement
between coders, the queues of what to label next, who may label.
"""
