"""One module per command: each exposes the one public function its CLI command calls."""
