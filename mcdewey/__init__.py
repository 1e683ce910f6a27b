"""McDewey: search a multi-vendor documentation library with page-exact citations."""

__version__ = "0.1.0"
