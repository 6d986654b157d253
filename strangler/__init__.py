"""strangler: split an AWS Lambda monolith into one function per action."""

__version__ = "0.1.0"
