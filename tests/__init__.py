"""CaseGraph test suite."""
