#!/usr/bin/env python3
"""An MCP client (official Python SDK, streamable HTTP) that connects to a URL with a bearer
token, lists the tools and calls the ones given, printing one JSON object on stdout:

  {"protocol_version": .., "tools": [names], "calls": [{"tool":..,"ok":bool,"result"|"error":..}]}

Usage: mcp_client.py URL --token TOKEN [--mode auto|legacy|2026-07-28]
                     [--call 'NAME JSON_ARGS']...

A call that the server answers with a JSON-RPC error is reported as
{"ok": false, "error": {"code", "message", "data"}}; the client keeps going.
"""

import argparse
import asyncio
import json
import sys
import time

from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError


def content_text(result) -> list:
    out = []
    for block in result.content:
        out.append(getattr(block, "text", None) if getattr(block, "type", "") == "text" else block.model_dump(mode="json"))
    return out


T0 = time.monotonic()


def trace(what: str) -> None:
    print(f"[mcp_client {time.monotonic() - T0:7.3f}s] {what}", file=sys.stderr, flush=True)


async def run(url: str, token: str, mode: str, calls: list) -> dict:
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
    transport = streamable_http_client(url, http_client=http)
    report = {"calls": []}
    async with http:
        async with Client(transport, mode=mode, read_timeout_seconds=30) as client:
            trace("connected")
            report["protocol_version"] = client.protocol_version
            tools = await client.list_tools()
            report["tools"] = sorted(t.name for t in tools.tools)
            trace("listed tools")
            for name, arguments in calls:
                trace(f"calling {name}")
                try:
                    result = await client.call_tool(name, arguments)
                    report["calls"].append({
                        "tool": name, "ok": not result.is_error, "result": content_text(result),
                    })
                except MCPError as e:
                    err = e.error
                    report["calls"].append({
                        "tool": name, "ok": False,
                        "error": {"code": err.code, "message": err.message, "data": err.data},
                    })
        trace("closing")
    trace("closed")
    return report


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--token", required=True)
    parser.add_argument("--mode", default="auto")
    parser.add_argument("--call", action="append", default=[])
    args = parser.parse_args()
    calls = []
    for spec in args.call:
        name, _, raw = spec.partition(" ")
        calls.append((name, json.loads(raw) if raw.strip() else {}))
    report = asyncio.run(run(args.url, args.token, args.mode, calls))
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
