"""Entity resolution: who is who (people) and where they work (organisations)."""
