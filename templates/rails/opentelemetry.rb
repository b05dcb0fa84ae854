# frozen_string_literal: true

# Written by `obs init`, which updates this file while this line is here; delete the line to keep your edits.
#
# OpenTelemetry tracing for this Rails app, sent over OTLP/HTTP (protobuf). It runs when
# OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT) is set; the SDK reads OTEL_SERVICE_NAME,
# the endpoint and OTEL_EXPORTER_OTLP_HEADERS itself. Gems: opentelemetry-sdk,
# opentelemetry-exporter-otlp and an instrumentation gem for each library in the Gemfile
# ({{WHAT}}); a re-run of `obs init` updates the list. To trace another library, add its
# opentelemetry-instrumentation-* gem to the Gemfile and its line to `instrumentations`.
otlp_endpoint = ENV["OTEL_EXPORTER_OTLP_ENDPOINT"].to_s.strip
otlp_endpoint = ENV["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].to_s.strip if otlp_endpoint.empty?

unless otlp_endpoint.empty?
  begin
    require "opentelemetry/sdk"
    require "opentelemetry/exporter/otlp"
  rescue LoadError => e
    warn "observability: missing gem (#{e.message}); add opentelemetry-sdk and opentelemetry-exporter-otlp " \
         "to the Gemfile and run bundle install. Tracing is off."
  else
    {{SETUP}}
  end
end
