"""Where is it: WGS84 and spherical Earth frames, gravity, atmosphere, line of sight."""
