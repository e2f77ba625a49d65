"""The demo deployment: two associations and their people, built from a fixed seed so
that every `make demo` shows the same data and later features can extend it."""
