"""CSV imports of real bars and engine outputs: validate the whole file, then write."""
