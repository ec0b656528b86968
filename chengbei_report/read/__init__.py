"""Read: open departmental workbooks safely and parse them into submissions."""
