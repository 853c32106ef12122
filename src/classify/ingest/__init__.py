"""Documents to units: read and decode files and manifests, normalise the script, split into sentence
units with stable ids, cut words.
"""
