"""The cycle: the document itself is the template (draft → edit in Word → bind → build)."""
