"""Accounts: who signs in, with which role, password or personal token."""
