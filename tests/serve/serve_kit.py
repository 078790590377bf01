"""What the serve tests and their conftest share (a conftest is not importable by name in the whole suite)."""

KEY = "test-key-not-a-secret"  # the server's key in the tests (CONDUCTOR_API_KEY of the subprocess)
