"""The graphics layer: style, plotting helpers, charts, maps and their alt texts."""
