"""Translators from the model's inputs (decision cases) to each target's own input, and back."""
