"""`conductor serve`: the Conductor over the whole pool as one OpenAI-compatible model (conductor.serve)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the Conductor as an OpenAI-compatible model (chat completions, responses)",
        description="Serve the Conductor and the pool behind it as one OpenAI-compatible model: POST "
        "/v1/chat/completions, POST /v1/responses (both streaming and not), GET /v1/models, GET /health. "
        "Clients send the key from $CONDUCTOR_API_KEY (or --api-key-env) as a Bearer token. docs/serve.md.",
    )
    p.add_argument("--checkpoint", default="latest", help="a checkpoint folder or HF id, or 'latest' (default)")
    p.add_argument("--pool", help="pool YAML (default: the shipped SIMULATED pool, started on 127.0.0.1)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000, help="0: any free port (printed)")
    p.add_argument("--rounds", type=int, default=0, help="extra rounds of the `conductor` model (default 0)")
    p.add_argument("--max-rounds", type=int, default=2, help="serve conductor-r0 ... conductor-rN (default 2)")
    p.add_argument("--api-key-env", default="CONDUCTOR_API_KEY", help="the variable holding the server's key")
    p.add_argument("--no-auth", action="store_true", help="no key (allowed on a loopback address only)")
    p.add_argument("--config", help="run config to prompt a checkpoint from no run here with")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--batch-window-ms", type=float, default=10.0, help="how long plans wait to share a batch")
    p.add_argument("--max-batch", type=int, default=64, help="prompts per generate call (1: no batching)")
    p.add_argument(
        "--torch-threads",
        type=int,
        help="threads the Conductor's generation uses (default: torch's less one core, left to the event loop)",
    )
    p.add_argument("--fallback-worker", type=int, help="worker that answers alone when no plan parses")
    p.add_argument("--max-body-bytes", type=int, default=1_000_000)
    p.add_argument("--max-messages", type=int, default=64)
    p.add_argument("--max-message-chars", type=int, default=32_000)
    p.add_argument("--max-concurrent", type=int, default=64, help="requests in progress at most (then 429)")
    p.add_argument("--request-timeout-s", type=float, default=300.0)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from conductor.serve.limits import Limits
    from conductor.serve.server import ServeOptions, run_server

    limits = Limits(
        max_body_bytes=args.max_body_bytes,
        max_messages=args.max_messages,
        max_message_chars=args.max_message_chars,
        max_concurrent=args.max_concurrent,
        request_timeout_s=args.request_timeout_s,
    )
    opts = ServeOptions(
        checkpoint=args.checkpoint,
        pool_file=args.pool,
        host=args.host,
        port=args.port,
        rounds=args.rounds,
        max_rounds=args.max_rounds,
        api_key_env=args.api_key_env,
        no_auth=args.no_auth,
        config_file=args.config,
        overrides=tuple(args.overrides),
        batch_window_s=args.batch_window_ms / 1000.0,
        max_batch=args.max_batch,
        fallback_worker=args.fallback_worker,
        torch_threads=args.torch_threads,
        limits=limits,
    )
    run_server(opts)
    return 0
