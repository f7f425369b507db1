"""Plans: parsing plan texts into their heading tree and indicators."""
