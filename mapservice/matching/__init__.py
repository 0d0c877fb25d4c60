"""Synergies: who could use an offer, scored once, for one site or the whole registry."""
