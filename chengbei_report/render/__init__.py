"""Render: fill templates with figures and write the document and the working paper."""
