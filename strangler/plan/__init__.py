"""Plan: which actions go where (names, folders, settings) and what retiring the monolith
may delete; refusals with reasons."""
