"""The template: what it holds (functions, the events and resources that reach them) behind
one dialect (``dialect.py``), and how it is read and written byte for byte. SAM is the one
dialect (``sam.py``)."""
