"""Readers turn one file of a given format into a Document: pdf, html, markdown (and MDX), text."""
