"""The benchmark behind `make bench`: data at scale (generate), the harness (run), its yardsticks (views)."""
