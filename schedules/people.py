"""The people domain has no sweeps of its own (retirements are 精密关注's, in ``schedules.care``)."""

SWEEPS = ()
