"""Geometry shared by every layer: coordinate systems, GeoJSON, the live spatial index."""
