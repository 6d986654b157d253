"""Plan: which actions go where (names, folders, settings), what retiring the monolith may delete; refusals with reasons."""
