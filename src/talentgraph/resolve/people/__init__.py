"""People: author mentions resolved into persons (see stage.py for the order of work)."""
