# frozen_string_literal: true

# Written by `obs init`, which updates this file while this line is here; delete the line to keep your edits.
#
# OpenTelemetry tracing for this Rails app, sent over OTLP/HTTP. It runs when
# OTEL_EXPORTER_OTLP_ENDPOINT is set; the SDK reads OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT
# and OTEL_EXPORTER_OTLP_HEADERS itself. Gems: opentelemetry-sdk, opentelemetry-exporter-otlp and
# opentelemetry-instrumentation-all (Rails, Rack, ActiveRecord, Net::HTTP, ... whichever are loaded).
otlp_endpoint = ENV["OTEL_EXPORTER_OTLP_ENDPOINT"].to_s.strip
otlp_endpoint = ENV["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].to_s.strip if otlp_endpoint.empty?

unless otlp_endpoint.empty?
  begin
    require "opentelemetry/sdk"
    require "opentelemetry/exporter/otlp"
    require "opentelemetry/instrumentation/all"
  rescue LoadError => e
    warn "observability: missing gem (#{e.message}); add opentelemetry-sdk, opentelemetry-exporter-otlp " \
         "and opentelemetry-instrumentation-all to the Gemfile and run bundle install. Tracing is off."
  else
    service_name = ENV["OTEL_SERVICE_NAME"].to_s.strip
    OpenTelemetry::SDK.configure do |c|
      c.service_name = service_name.empty? ? {{SERVICE_NAME}} : service_name
      c.use_all
    end
  end
end
