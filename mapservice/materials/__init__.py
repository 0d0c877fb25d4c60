"""Materials: the taxonomy, compatibility rules, the free-text classifier, impact figures."""
