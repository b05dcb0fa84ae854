# Written by `obs init`, which updates this file while this line is here; delete the line to keep your edits.
"""Telemetry for this Flask service, set up by one call right after `app = Flask(__name__)`:

    from observability import init_observability
    init_observability(app)

Pipeline: {{PIPELINE}}. Each part runs only when the renderer turned it on (the flags below)
and its variable is set; every OpenTelemetry endpoint and header comes from the standard
OTEL_* variables, read by the exporters themselves:

    OpenTelemetry traces   OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT), OTEL_EXPORTER_OTLP_HEADERS,
                           OTEL_SERVICE_NAME; direct: Honeycomb, collector: the collector
    OpenTelemetry logs     (collector) OTEL_EXPORTER_OTLP_ENDPOINT (or _LOGS_ENDPOINT): the root
                           logger's records go to the collector, which sends them to CloudWatch Logs
    AWS X-Ray SDK          (direct) AWS_XRAY_DAEMON_ADDRESS; segments are named after the service
                           (OTEL_SERVICE_NAME), as obs.yaml's X-Ray group and sampling rule expect
    CloudWatch Logs        (direct, watchtower) AWS_DEFAULT_REGION; logs go to LOG_GROUP (created by `obs apply`)
    Rollbar                ROLLBAR_ACCESS_TOKEN, with ROLLBAR_ENV (default: production)

OpenTelemetry instruments Flask, and only the libraries this service declares (INSTRUMENTATIONS;
a re-run of `obs init` updates the list).

A package that is not installed turns its part off: one warning names the missing packages and
the app keeps running. Do not run Flask's debug reloader with tracing on (`flask run --debug`
or `app.run(debug=True)`): it restarts the app in a new process, which breaks the batch span
processor; pass `--no-reload` or `use_reloader=False`.
"""
import importlib
import logging
import os
import time

SERVICE_NAME = {{SERVICE_NAME}}
PIPELINE = "{{PIPELINE}}"
OTEL_TRACES = {{OTEL_TRACES}}
OTEL_LOGS = {{OTEL_LOGS}}
XRAY_SDK = {{XRAY_SDK}}
WATCHTOWER = {{WATCHTOWER}}
ROLLBAR = {{ROLLBAR}}
LOG_GROUP = {{LOG_GROUP}}
INSTALL_COMMAND = {{INSTALL_COMMAND}}
# (module, instrumentor class, package) for each library the service declares.
INSTRUMENTATIONS = [
{{INSTRUMENTATIONS}}
]

log = logging.getLogger("observability")


def init_observability(app):
    """Sets up each chosen backend whose variable is set; returns the names of those running."""
    if "observability" in app.extensions:
        return app.extensions["observability"]
    service = _env("OTEL_SERVICE_NAME") or SERVICE_NAME
    missing = []
    parts = [
        ("opentelemetry", OTEL_TRACES and (_env("OTEL_EXPORTER_OTLP_ENDPOINT") or _env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")), _opentelemetry),
        ("otlp-logs", OTEL_LOGS and (_env("OTEL_EXPORTER_OTLP_ENDPOINT") or _env("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT")), _otlp_logs),
        ("xray", XRAY_SDK and _env("AWS_XRAY_DAEMON_ADDRESS"), _xray),
        ("cloudwatch", WATCHTOWER and _env("AWS_DEFAULT_REGION"), _cloudwatch),
        ("rollbar", ROLLBAR and _env("ROLLBAR_ACCESS_TOKEN"), _rollbar),
    ]
    running = []
    for name, wanted, setup in parts:
        if not wanted:
            continue
        try:
            if setup(app, service, _Imports(missing)):
                running.append(name)
        except Exception as error:  # telemetry must never stop the app
            log.warning("observability: %s is off: %s: %s", name, type(error).__name__, error)
    if missing:
        log.warning("observability: missing packages %s; run %s", ", ".join(missing), INSTALL_COMMAND)
    app.extensions["observability"] = running
    return running


def _env(name):
    return os.environ.get(name, "").strip() or None


class _Imports:
    """Imports a module, or records the package that provides it and returns None."""

    def __init__(self, missing):
        self.missing = missing

    def __call__(self, module, package):
        try:
            return importlib.import_module(module)
        except ImportError:
            if package not in self.missing:
                self.missing.append(package)
            return None


def _opentelemetry(app, service, imports):
    trace = imports("opentelemetry.trace", "opentelemetry-api")
    sdk = imports("opentelemetry.sdk.trace", "opentelemetry-sdk")
    export = imports("opentelemetry.sdk.trace.export", "opentelemetry-sdk")
    resources = imports("opentelemetry.sdk.resources", "opentelemetry-sdk")
    otlp = imports("opentelemetry.exporter.otlp.proto.http.trace_exporter", "opentelemetry-exporter-otlp-proto-http")
    flask_instrumentation = imports("opentelemetry.instrumentation.flask", "opentelemetry-instrumentation-flask")
    libraries = [(imports(module, package), name) for module, name, package in INSTRUMENTATIONS]
    if None in (trace, sdk, export, resources, otlp):
        return False
    # The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS itself.
    provider = sdk.TracerProvider(resource=resources.Resource.create({"service.name": service}))
    # Batches of 64 spans instead of the SDK's 512: the export thread encodes a batch in Python,
    # holding the GIL, and the request threads wait meanwhile (512 spans: 30-60 ms, 64: 3-4 ms;
    # bench/RESULTS.md). OTEL_BSP_MAX_EXPORT_BATCH_SIZE, when set, still wins.
    batch_size = None if _env("OTEL_BSP_MAX_EXPORT_BATCH_SIZE") else 64
    # A batch leaves at least every second instead of the SDK's 5 s, so the first trace shows up
    # soon after the first request; under load batches fill first. OTEL_BSP_SCHEDULE_DELAY still wins.
    delay = None if _env("OTEL_BSP_SCHEDULE_DELAY") else 1000
    # The exporter encodes each batch a few spans at a time, pausing between them so request threads
    # get the GIL; the batch still leaves in one HTTP request (_encode_in_chunks). This replaces the
    # exporter module's encode_spans, so every OTLP/HTTP span exporter in the process does the same.
    if callable(getattr(otlp, "encode_spans", None)) and not hasattr(otlp.encode_spans, "chunked"):
        otlp.encode_spans = _encode_in_chunks(otlp.encode_spans)
    provider.add_span_processor(
        export.BatchSpanProcessor(otlp.OTLPSpanExporter(), max_export_batch_size=batch_size, schedule_delay_millis=delay)
    )
    trace.set_tracer_provider(provider)
    if flask_instrumentation is not None:
        flask_instrumentation.FlaskInstrumentor().instrument_app(app)
    for module, name in libraries:
        if module is not None:
            getattr(module, name)().instrument()
    return True


def _encode_in_chunks(encode_spans, chunk=8, pause=0.0002):
    """The exporter's encode_spans, a few spans at a time with a short sleep between chunks.

    Building the protobuf messages is Python work that holds the GIL (64 spans: 2-4 ms), and a
    request thread that wants the GIL meanwhile waits up to the switch interval (5 ms): that was
    the p99 latency tracing added (bench/RESULTS.md). 8 spans take ~0.3 ms, and the 0.2 ms sleep
    lets a waiting thread take the GIL (sleep(0) hands it back before that thread wakes, and
    measured worse). Serialized requests concatenate into one (their resource_spans append), so
    the bytes are one valid request, ~8% larger than a single encoding.
    """

    def encode(spans):
        spans = list(spans)
        if len(spans) <= chunk:
            return encode_spans(spans)
        parts = []
        for start in range(0, len(spans), chunk):
            if start:
                time.sleep(pause)
            parts.append(encode_spans(spans[start : start + chunk]).SerializePartialToString())
        return _Encoded(b"".join(parts))

    encode.chunked = True
    return encode


class _Encoded:
    """Serialized spans standing in for the ExportTraceServiceRequest the exporter serializes."""

    def __init__(self, data):
        self.data = data

    def SerializePartialToString(self):
        return self.data

    SerializeToString = SerializePartialToString


def _otlp_logs(app, service, imports):
    logs_api = imports("opentelemetry._logs", "opentelemetry-api")
    logs_sdk = imports("opentelemetry.sdk._logs", "opentelemetry-sdk")
    logs_export = imports("opentelemetry.sdk._logs.export", "opentelemetry-sdk")
    resources = imports("opentelemetry.sdk.resources", "opentelemetry-sdk")
    otlp = imports("opentelemetry.exporter.otlp.proto.http._log_exporter", "opentelemetry-exporter-otlp-proto-http")
    if None in (logs_api, logs_sdk, logs_export, resources, otlp):
        return False
    # Records of the root logger (INFO and up) go to the collector, which adds the log group and stream.
    provider = logs_sdk.LoggerProvider(resource=resources.Resource.create({"service.name": service}))
    provider.add_log_record_processor(logs_export.BatchLogRecordProcessor(otlp.OTLPLogExporter()))
    logs_api.set_logger_provider(provider)
    logging.getLogger().addHandler(logs_sdk.LoggingHandler(level=logging.INFO, logger_provider=provider))
    return True


def _xray(app, service, imports):
    core = imports("aws_xray_sdk.core", "aws-xray-sdk")
    middleware = imports("aws_xray_sdk.ext.flask.middleware", "aws-xray-sdk")
    if core is None or middleware is None:
        return False
    core.xray_recorder.configure(
        # Every segment is named after the service (no dynamic naming from AWS_XRAY_URL): the X-Ray
        # group's filter and the sampling rule in obs.yaml say service("<this name>"), and a name
        # taken from the Host header (a Gitpod URL) would match neither. The URL is in http.request.
        service=service,
        daemon_address=_env("AWS_XRAY_DAEMON_ADDRESS"),
        # Code that runs outside a request (startup, threads) logs instead of raising.
        # AWS_XRAY_CONTEXT_MISSING, when set, still wins.
        context_missing="LOG_ERROR",
    )
    middleware.XRayMiddleware(app, core.xray_recorder)
    return True


def _cloudwatch(app, service, imports):
    watchtower = imports("watchtower", "watchtower")
    if watchtower is None:
        return False
    handler = watchtower.CloudWatchLogHandler(
        log_group_name=LOG_GROUP,
        log_stream_name=service + "/{machine_name}/{process_id}",
        # `obs apply` creates the group with its retention; no AWS call while the app starts.
        create_log_group=False,
    )
    handler.setLevel(logging.INFO)
    logging.getLogger().addHandler(handler)
    return True


def _rollbar(app, service, imports):
    rollbar = imports("rollbar", "rollbar")
    blinker = imports("blinker", "blinker")  # Flask sends got_request_exception through it
    contrib = imports("rollbar.contrib.flask", "rollbar") if rollbar is not None else None
    if rollbar is None or contrib is None or blinker is None:
        return False
    from flask import got_request_exception

    rollbar.init(
        _env("ROLLBAR_ACCESS_TOKEN"),
        _env("ROLLBAR_ENV") or "production",
        root=os.path.dirname(os.path.realpath(__file__)),
        allow_logging_basic_config=False,
    )
    got_request_exception.connect(contrib.report_exception, app)
    return True
