"""Content checks run on a rendered post before it is scheduled."""
