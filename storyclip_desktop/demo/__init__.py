"""A local StoryClip + Supabase-Auth backend that speaks the wire contract.

Shares no code with the client (design rule): it stands in for servers we do not
run, so the client is tested over real HTTP on loopback and anyone can try the
app without an account. Read ``shared/wire-contract.md`` for what it answers.

Run it::

    python -m storyclip_desktop.demo serve [--seed-demo] [--mode default|upstream] ...
    python -m storyclip_desktop.demo add-user EMAIL PASSWORD --db PATH   # prints the id
    python -m storyclip_desktop.demo add-api-key KEY [--scopes read,publish] --db PATH

The first line on standard output is the base URL (``http://127.0.0.1:PORT``);
the StoryClip API is under ``/api/`` and auth under ``/auth/v1/`` of it. Logs
go to standard error. SIGTERM / SIGINT end every open stream and exit 0.

Defaults (deterministic, so scripts and the app's ``--demo`` need no set-up):

* ``--db``: ``demo-backend.sqlite3`` in the platform's state folder
  (``$XDG_STATE_HOME/storyclip-desktop/`` on Linux).
* ``X-Api-Key``: the keys given with ``--api-key`` and those stored with
  ``add-api-key``; when there are none at all, ``demo-api-key`` is accepted
  (and the log says so).
* auth ``apikey`` (``--anon-key``): ``demo-anon-key``.
* ``--clip-seconds 3`` (a seeded batch runs for a minute or so, visibly),
  ``--failure-rate 0``, ``--waits 3`` (``waiting`` events per clip),
  ``--token-ttl 3600``, ``--reuse-interval 10``, ``--heartbeat 15``,
  ``--retry-ms 3000``, ``--token-rate-limit 1800`` per ``--token-rate-window 3600``.
* ``--seed-demo``: the demo user **demo@storyclip.app** / password
  **storyclip-demo** (always the same user id,
  ``938d23b6-1f94-5b27-b189-14bb5f074af3``), three running batches of 20, 8
  and 5 clips with Spanish titles (three clips fail on purpose), and one batch
  finished yesterday for the history. Running batches are added only when the
  demo user has none, so a restart resumes them rather than adding more.

Streams: ``GET /api/metricool/stream?batchId=`` follows one batch (both modes);
``GET /api/metricool/events`` (default mode) generalises it to the signed-in
user's whole account on one connection: the same events of every batch (each
with ``batchId``), a ``created`` event when a batch is made, pause / resume /
cancel / retry as ``paused``, ``resumed``, ``cancelled``, ``retrying``, ids of
one database-wide sequence (``Last-Event-ID`` resumes across restarts),
``retry:``, ``: ping`` heartbeats; the user is the bearer token's (a
``userId`` naming someone else is 403). See :mod:`.api` for both.

Modes: ``default`` adds Part 2 of the contract (SSE ids and replay, heartbeat,
closing streams, restart recovery, working controls, history, the user from the
bearer token) and says so at ``GET /api/metricool/capabilities`` (``history``,
``controls``, ``accountStream``), which a client asks once per server instead of
trying an action on a batch; ``upstream`` reproduces Part 1 (that route answers
404), quirks included (see :mod:`.publisher` and :mod:`.api`), with
``--fail-batch-on-first-error`` for the deployed publisher's whole-batch failure.

Test switches are not part of it: the test suite runs the backend through its
own launcher (``python -m tests.demo_ext serve``, same options plus
``--faults``), which fills in the hooks of :mod:`.extensions` with fault
injection, benchmark streams and a loopback-only admin endpoint. Neither the
wheel nor the frozen app carries that code.

Modules: :mod:`.store` (SQLite), :mod:`.auth` (GoTrue subset), :mod:`.api`
(StoryClip routes and streams), :mod:`.publisher` (simulated Metricool and the
event fan-out), :mod:`.sse`, :mod:`.seed`, :mod:`.extensions` (the hooks a
wrapper may fill in), :mod:`.server` (wiring, uvicorn, signals).
"""
