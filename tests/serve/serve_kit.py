"""What the serve tests and their conftest share (a conftest is not importable by name in the whole suite)."""

KEY = "test-key-not-a-secret"  # the server's key in the tests (CONDUCTOR_API_KEY of the subprocess)
STRICT_TIMEOUT_S = 5.0  # the strict server's time per request: room for a plan and a step timing out (about 3 s)
WORKER_TIMEOUT_S = 0.5  # its workers' per-call timeout (3 attempts and their backoff: 2.25-3 s in all)
