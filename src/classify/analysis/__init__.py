"""Labels to answers: the jurisdiction × measure matrix, its evidence and intervals, comparisons,
commitments, reports and pictures.
"""
