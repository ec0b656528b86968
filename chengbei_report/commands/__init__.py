"""One module per command; each exposes the one public function the CLI calls."""
