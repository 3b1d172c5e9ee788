#!/usr/bin/env python3
"""llm_stub.py — a scripted OpenAI-compatible endpoint for the tests, on loopback.

    llm_stub.py --script FILE --port-file FILE [--log FILE]

Serves GET /v1/models and POST /v1/chat/completions on 127.0.0.1 (a free
port, written to --port-file once listening). Never a real model: each chat
request gets the next step of the script for its kind, where the kind is the
response_format schema name (quest, event, line, branch; "line" for
json_object requests, whose kind is read from the system prompt).

The script is JSON:
  {"models": ["stub-model"], "models_status": 200,
   "replies": {"quest": [STEP, ...], "line": [...], "*": [...]},
   "default": STEP}
A STEP is "good" (a valid reply for the kind, built from the request), or an
object with any of:
  "good": true        the valid reply, with the other keys applied on top
  "content": "..."    the message content, as is
  "status": 401       the HTTP status (with an OpenAI-style error body)
  "body": "..."       the whole body, as is
  "finish_reason": "length"
  "delay": 2.5        seconds to sleep before answering
  "retry_after": "1"  a Retry-After header
  "cut": true         send part of the body, then close the connection
  "schema_400": true  answer 400 when the request asks for a json_schema
  "usage": {...}      the usage object
"paths" scripts GET answers of other paths: {"/v1/worlds/1/changes": {"status": 200,
"body": "..."}} (the query is left off), for the sync client's tests; {"endless": N}
answers N changes after ?since= and says more wait, for ever; {"heavy": {"changes": N,
"values": V}} holds N changes, each with V JSON values, and answers as many as ?limit= asks
from ?since= on (a page of large chunks).
Every request is appended to --log as one JSON line: method, path, the
Authorization header, the body and the time. Standard library only.
"""
import argparse
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
SCRIPT = {}
QUEUES = {}
LOG = None

GOOD = {
    "event": {"name": "Stub Omen", "description": "The stub model saw this coming, and the villagers whisper of it."},
    "line": {"line": "Stub says hello, traveller; the wind is kind today."},
    "branch": {"choice": "Ask the stub for its counsel",
               "text": "The stub hums. {character}, it says, every road has two ends.",
               "consequences": [{"experience": 5000}, {"message": "You feel wiser."}]},
}


def kind_of(req):
    rf = req.get("response_format") or {}
    name = ((rf.get("json_schema") or {}).get("name")) if isinstance(rf, dict) else None
    if name:
        return name
    system = ""
    for m in req.get("messages") or []:
        if m.get("role") == "system":
            system = m.get("content") or ""
    if "quest" in system and "Rewrite the texts of a quest" in system:
        return "quest"
    if "world event" in system:
        return "event"
    if "storyline" in system:
        return "branch"
    return "line"


def good_reply(kind, req):
    if kind == "quest":
        user = ""
        for m in req.get("messages") or []:
            if m.get("role") == "user":
                user = m.get("content") or ""
        ids = []
        m = re.search(r"Current text \(JSON\): (\{.*\})", user)
        if m:
            try:
                ids = [o["id"] for o in json.loads(m.group(1)).get("objectives", [])]
            except (ValueError, KeyError):
                ids = []
        return {"title": "The Stub's Errand",
                "description": "A stub model wrote this quest for you, traveller, and it means every word.",
                "objectives": [{"id": i, "text": "Stub objective " + i} for i in ids]}
    return GOOD.get(kind, GOOD["line"])


def next_step(kind):
    with LOCK:
        replies = SCRIPT.get("replies") or {}
        for key in (kind, "*"):
            q = QUEUES.setdefault(key, list(replies.get(key) or []))
            if q:
                return q.pop(0)
        return SCRIPT.get("default", "good")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, body):
        if not LOG:
            return
        entry = {"method": self.command, "path": self.path, "auth": self.headers.get("Authorization"),
                 "body": body, "time": time.time()}
        with LOCK:
            with open(LOG, "a") as f:
                f.write(json.dumps(entry) + "\n")

    def send_json(self, status, obj, headers=None, raw=None):
        data = raw.encode() if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.record(None)
        # Any other server's answers, scripted by path (the query left off): {"paths": {"/v1/x":
        # {"status": 200, "body": "..."}}} (the sync client's tests of a hostile server).
        step = (SCRIPT.get("paths") or {}).get(self.path.split("?")[0])
        if step is not None and step.get("heavy"):
            m = re.search(r"[?&]since=(\d+)", self.path)
            since = int(m.group(1)) if m else 0
            m = re.search(r"[?&]limit=(\d+)", self.path)
            limit = int(m.group(1)) if m else 100
            total, values = int(step["heavy"]["changes"]), int(step["heavy"]["values"])
            k = max(0, min(limit, total - since))
            data = "[" + ",".join(["0"] * values) + "]"
            changes = ",".join('{"seq":%d,"data":%s}' % (since + i + 1, data) for i in range(k))
            self.send_json(200, None, raw='{"changes":[%s],"cursor":%d,"more":%s}'
                           % (changes, since + k, "true" if since + k < total else "false"))
            return
        if step is not None and step.get("endless"):
            # A page of "endless" changes from ?since= on, always saying more wait.
            m = re.search(r"[?&]since=(\d+)", self.path)
            since = int(m.group(1)) if m else 0
            n = int(step["endless"])
            self.send_json(200, {"changes": [{"seq": since + i + 1} for i in range(n)], "cursor": since + n,
                                 "more": True})
            return
        if step is not None:
            body = step.get("body", "").encode("utf-8")
            self.send_response(step.get("status", 200))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path.rstrip("/").endswith("/models"):
            status = SCRIPT.get("models_status", 200)
            models = SCRIPT.get("models", ["stub-model"])
            if status != 200:
                self.send_json(status, {"error": {"message": "models refused"}})
                return
            self.send_json(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in models]})
            return
        self.send_json(404, {"error": {"message": "no such path " + self.path}})

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode("utf-8", "replace")
        try:
            req = json.loads(raw)
        except ValueError:
            req = {}
        self.record(req if req else raw)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self.send_json(404, {"error": {"message": "no such path " + self.path}})
            return
        models = SCRIPT.get("models", ["stub-model"])
        if req.get("model") not in models:
            self.send_json(404, {"error": {"message": "model '%s' not found" % req.get("model")}})
            return
        kind = kind_of(req)
        step = next_step(kind)
        if step == "good":
            step = {"good": True}
        if step.get("delay"):
            time.sleep(float(step["delay"]))
        rf = req.get("response_format") or {}
        if step.get("schema_400") and rf.get("type") == "json_schema":
            self.send_json(400, {"error": {"message": "response_format json_schema is not supported"}})
            return
        headers = {}
        if "retry_after" in step:
            headers["Retry-After"] = str(step["retry_after"])
        status = step.get("status", 200)
        if "body" in step:
            self.send_json(status, None, headers, raw=step["body"])
            return
        if status != 200:
            self.send_json(status, {"error": {"message": "stub status %d" % status, "type": "stub"}}, headers)
            return
        content = step.get("content")
        if content is None:
            content = json.dumps(good_reply(kind, req))
        user_len = sum(len(m.get("content") or "") for m in req.get("messages") or [])
        usage = step.get("usage", {"prompt_tokens": user_len // 4, "completion_tokens": len(content) // 4,
                                   "total_tokens": user_len // 4 + len(content) // 4})
        body = {"id": "stub-1", "object": "chat.completion", "model": req.get("model"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                             "finish_reason": step.get("finish_reason", "stop")}],
                "usage": usage}
        if step.get("cut"):
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 3])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return
        self.send_json(200, body, headers)


def main():
    global SCRIPT, LOG
    ap = argparse.ArgumentParser()
    ap.add_argument("--script", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--lifetime", type=float, default=600, help="stop by itself after this many seconds")
    args = ap.parse_args()
    with open(args.script) as f:
        SCRIPT = json.load(f)
    LOG = args.log
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    stopper = threading.Timer(args.lifetime, server.shutdown)
    stopper.daemon = True
    stopper.start()
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
