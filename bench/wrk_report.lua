-- wrk script for bench/pages.py: cycles through "path<TAB>header<TAB>value" lines (the session
-- cookie for pages, a Bearer token for the API) of the file given after
-- `--`, so the 8 connections are several residents on their own accounts, and prints the
-- figures as one JSON line (latencies in microseconds).
local targets = {}
local position = 1

function init(args)
  for line in io.lines(args[1]) do
    local path, name, value = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
    table.insert(targets, { path = path, headers = { [name] = value } })
  end
  position = math.random(#targets)
end

function request()
  local target = targets[position]
  position = position % #targets + 1
  return wrk.format("GET", target.path, target.headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "bad_status": %d, ' ..
    '"p50": %d, "p95": %d, "p99": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
