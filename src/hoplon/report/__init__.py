"""What does a person read: plots and maps. Matplotlib is imported only here and in the CLI."""
