"""The steps of the procedure, one module per step of the skill."""
