"""Shared plot style: Paul Tol's colour-blind-safe palettes."""

SIM = "#4477AA"      # Tol bright blue: simulated
RECORD = "#EE6677"   # Tol bright red: the historical record
MEDIAN = "#222222"
BAND = "#BBBBBB"
SIDE_COLOURS = ("#CC3311", "#0077BB")  # Tol vibrant red / blue, by side index
