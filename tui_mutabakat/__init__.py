"""tui-mutabakat: e-mail balance reconciliation (e-Mutabakat) for Turkish accounting teams."""

__version__ = "0.1.0"
