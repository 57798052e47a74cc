"""Accounts: roles and credentials (password hashing, signed tokens); pure, used by the store and the API."""
