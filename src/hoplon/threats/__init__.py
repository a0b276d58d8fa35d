"""What attacks: ballistic missiles, cruise missiles, boost-glide vehicles, a catalogue."""
