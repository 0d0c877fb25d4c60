"""The registry's domain: its types, text folding, sectors, the access rules, reference data."""
