"""Reports of content to its moderators, one model for every app that takes reports."""
