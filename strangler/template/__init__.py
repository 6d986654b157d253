"""The template: what it holds (functions, the routes and resources that reach them) and how it is read and written byte for byte. SAM is the one dialect (sam.py)."""
