-- wrk script for bench/load_bench.py: every request POSTs a new signature as JSON, each
-- with its own email (run id + thread + counter), and the responses are counted by status
-- so the bench can check them against the rows in the database.
--
--   wrk -t1 -c50 -d10s --latency -s bench/load_sign.lua \
--       http://127.0.0.1:8000/api/v1/campaigns/bench/signatures -- RUNID

local threads = {}

function setup(thread)
   -- Globals of each thread's own Lua state: read back in done().
   table.insert(threads, thread)
   thread:set("thread_id", #threads)
end

function init(args)
   run = args[1] or "run"
   sent, created, repeated, other = 0, 0, 0, 0
end

function request()
   sent = sent + 1
   local body = string.format(
      '{"full_name":"Load Signer %d","title":"City Council Member",' ..
      '"office_level":"municipal","jurisdiction":"Madison","state":"WI",' ..
      '"email":"load-%s-%d-%d@example.gov"}',
      sent, run, thread_id, sent)
   return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
   if status == 201 then
      created = created + 1
   elseif status == 200 then
      repeated = repeated + 1
   else
      other = other + 1
   end
end

function done(summary, latency, requests)
   local totals = {sent = 0, created = 0, repeated = 0, other = 0}
   for _, thread in ipairs(threads) do
      for name, _ in pairs(totals) do
         totals[name] = totals[name] + thread:get(name)
      end
   end
   io.write(string.format("lua: sent=%d created=%d repeated=%d other=%d\n",
      totals.sent, totals.created, totals.repeated, totals.other))
end
