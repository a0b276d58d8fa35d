"""The ``hoplon`` command line. Presentation only: physics lives in the packages below."""
