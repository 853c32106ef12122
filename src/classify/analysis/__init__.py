"""Labels to answers: the jurisdiction × measure matrix, its evidence and intervals, comparisons,
commitments, reports and pictures.
"""

# What a matrix cell counts. Kept here, free of pandas, so the command line offers the choice without it.
VALUES = ("count", "share", "per1000")
