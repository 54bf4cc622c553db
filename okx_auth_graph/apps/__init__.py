"""The programs built on the auth graph: the terminal chat and the scripted demo.

They are front ends, not the procedure: each drives the compiled graph the
way any caller would (`okx_auth_graph.cli` starts them), so nothing here
holds a rule of the skill.
"""
