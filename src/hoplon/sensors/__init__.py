"""What sees it: radars, space-based infrared early warning, and their measurements."""
