"""Tracks: songs for a mood, their covers, the offline catalogue and the backends that suggest more of them."""
