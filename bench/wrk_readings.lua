-- wrk script for bench/api_readings.py: POST /api/v1/readings/ with a fresh Idempotency-Key and a
-- new valid value on every request. The file given after `--` has one "token<TAB>meter id" line
-- per cabinet; each wrk thread cycles through them (wrk does not say which connection asks).
-- Prints one JSON line: requests, 201 answers, other answers, errors, latencies in microseconds.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_no", #threads)
end

local targets = {}
local position = 1
local sent = 0
local prefix = ""
created = 0
other = 0

function init(args)
  for line in io.lines(args[1]) do
    local token, meter = line:match("^([^\t]+)\t(%d+)$")
    table.insert(targets, { headers = { ["Authorization"] = "Bearer " .. token,
                                        ["Content-Type"] = "application/json" },
                            meter = meter })
  end
  -- Keys are unique across threads and runs: the thread's number, the time and a random part.
  math.randomseed(os.time() * 1000 + thread_no)
  prefix = string.format("%d-%d-%08x-", thread_no, os.time(), math.random(0, 0x7fffffff))
  position = (thread_no - 1) % #targets + 1
end

function request()
  local target = targets[position]
  position = position % #targets + 1
  sent = sent + 1
  target.headers["Idempotency-Key"] = prefix .. sent
  -- Values from 100 up by 0.5 each: valid for an 8-digit, 3-decimal meter without history.
  local body = string.format('{"meter": %s, "values": ["%.1f"]}', target.meter, 100 + sent / 2)
  return wrk.format("POST", "/api/v1/readings/", target.headers, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local made, refused = 0, 0
  for _, thread in ipairs(threads) do
    made = made + thread:get("created")
    refused = refused + thread:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "created": %d, "other": %d, "duration_us": %d, "errors": %d, ' ..
    '"p50": %d, "p95": %d, "p99": %d}\n',
    summary.requests, made, refused, summary.duration, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
