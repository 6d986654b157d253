"""The SAM template: round-trip document, function resources, routes per event source."""
