"""What an export thread's encoding does to a request thread's latency, in one Python process (issue 14).

    python bench/flask-gil-probe.py MODE APP_DIR
      MODE: whole (the exporter's encode_spans) | chunked (observability.py's _encode_in_chunks)
            | chunked-sleep0 (the same with pause=0) | switch<seconds> (whole, sys.setswitchinterval)
      APP_DIR: a Flask service after `obs init` (app.py with `app`, observability.py), run with a
               Python that has its requirements installed.

64 server spans of APP_DIR's GET /api/activities/home are recorded once; then an export-like thread
encodes them every 320 ms (batches of 64 at 200 requests/s) while a request-like thread starts every
5 ms: 10 pieces of ~40 us of Python, each after a pipe round trip that releases the GIL, as a request's
socket I/O does. Prints the request thread's latency from its planned start (p50/p99/p99.9/max, ms)
as JSON. No HTTP: only the encoding and the GIL.
"""
import json
import os
import sys
import threading
import time

mode, app_dir = sys.argv[1], sys.argv[2]
sys.path.insert(0, app_dir)
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

memory = InMemorySpanExporter()
provider = TracerProvider(resource=Resource.create({"service.name": "backend-flask"}))
provider.add_span_processor(SimpleSpanProcessor(memory))
trace.set_tracer_provider(provider)
import app as service  # noqa: E402
import observability  # noqa: E402

FlaskInstrumentor().instrument_app(service.app)
client = service.app.test_client()
for _ in range(64):
    client.get("/api/activities/home")
spans = list(memory.get_finished_spans())

if mode == "chunked":
    encode = observability._encode_in_chunks(encode_spans)
elif mode == "chunked-sleep0":
    encode = observability._encode_in_chunks(encode_spans, pause=0)
else:
    encode = encode_spans
    if mode.startswith("switch"):
        sys.setswitchinterval(float(mode[len("switch") :]))

done = False


def exporter():
    while not done:
        time.sleep(0.32)
        encode(spans).SerializePartialToString()


r, w = os.pipe()
latencies = []


def requests_():
    t0 = time.perf_counter()
    for i in range(4000):
        due = t0 + i * 0.005
        if due > time.perf_counter():
            time.sleep(due - time.perf_counter())
        for _ in range(10):
            os.write(w, b"x")
            os.read(r, 1)
            sum(j * j for j in range(300))
        latencies.append((time.perf_counter() - due) * 1000)


threading.Thread(target=exporter, daemon=True).start()
probe = threading.Thread(target=requests_)
probe.start()
probe.join()
done = True
s = sorted(latencies)
at = lambda q: round(s[int(q * (len(s) - 1))], 3)  # noqa: E731
print(json.dumps({"mode": mode, "p50": at(0.5), "p99": at(0.99), "p999": at(0.999), "max": round(s[-1], 3)}))
