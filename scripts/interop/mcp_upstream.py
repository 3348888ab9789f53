#!/usr/bin/env python3
"""A small MCP server (official Python SDK, streamable HTTP) used as the upstream in
Warden's MCP gateway end-to-end test.

Usage: mcp_upstream.py --port PORT [--log FILE] [--json-response] [--stateless]

Tools: `echo` (returns its arguments and the request headers it received), `add`,
`leak` (returns a fake GitHub token), `delete_repo` (would be dangerous). Every tool call is
appended to --log as one JSON line {"tool":..,"arguments":..,"authorization":..} so the test can check which
calls reached the upstream. Prints "READY <port>" once listening.
"""

import argparse
import json
import sys

from mcp.server.mcpserver import Context, MCPServer

FAKE_PAT = "ghp_" + "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", default=None)
    parser.add_argument("--json-response", action="store_true")
    parser.add_argument("--stateless", action="store_true")
    args = parser.parse_args()

    server = MCPServer("warden-interop-upstream", log_level="WARNING")

    def record(tool: str, arguments: dict, authorization: str | None = None) -> None:
        if args.log:
            line = {"tool": tool, "arguments": arguments, "authorization": authorization}
            with open(args.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(line) + "\n")

    @server.tool()
    def echo(text: str, ctx: Context) -> str:
        """Echo the text and the HTTP headers this server received."""
        headers = dict(ctx.headers or {})
        record("echo", {"text": text}, headers.get("authorization"))
        keep = {k: v for k, v in headers.items() if k.lower() in (
            "authorization", "x-api-key", "cookie", "x-mcp-proxy-auth", "mcp-protocol-version")}
        return json.dumps({"text": text, "headers": keep})

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two integers."""
        record("add", {"a": a, "b": b})
        return a + b

    @server.tool()
    def leak() -> str:
        """Return a (fake) secret."""
        record("leak", {})
        return f"the deploy token is {FAKE_PAT}"

    @server.tool()
    def delete_repo(repo: str) -> str:
        """Delete a repository (never reached through Warden)."""
        record("delete_repo", {"repo": repo})
        return f"deleted {repo}"

    print(f"READY {args.port}", flush=True)
    server.run(
        "streamable-http",
        host="127.0.0.1",
        port=args.port,
        json_response=args.json_response,
        stateless_http=args.stateless,
    )


if __name__ == "__main__":
    sys.exit(main())
