"""``kg eval``: scores against public gold (ELEVANT, re3d, UCDP) and calibration fitting."""
