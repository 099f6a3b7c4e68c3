"""Defaults shared by the library and the command line, so both run the same experiment."""

#: Root seed of a run when none is given (the date of the August offensive, 1939-08-20).
DEFAULT_SEED = 19390820
#: Bundled scenario run when none is named.
DEFAULT_SCENARIO = "khalkhin_gol_1939_august"
