"""Plan indicators: kinds, yearly values and their status."""
