"""Registry use cases behind the forms: members, sites and flows validated, then written."""
