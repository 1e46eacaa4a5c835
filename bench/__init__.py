"""Peers of the platform for ``antt bench throughput``, each in an environment of its own."""
