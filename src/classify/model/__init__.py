"""Units to labels: features, the thresholded classifier, training and its card, honest evaluation,
experiments, the model on disk, prediction and its explanation.
"""
