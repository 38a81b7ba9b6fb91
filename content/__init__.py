"""The content non-programmers edit: texts, categories, team kinds, campaigns, areas.

A Python package only so that a regular install ships it beside the code.
"""
