"""nomonhan_sim: a batched discrete-event Monte Carlo model of the 1939 Khalkhin Gol battles."""

__version__ = "0.1.0"
