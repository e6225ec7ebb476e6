"""The answer page's use cases (SPEC E5), free of any web framework: links, answers, uploaded
files.
"""
