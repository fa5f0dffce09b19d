"""Passwords (policy, argon2, random initial passwords) and the box for initial passwords."""
