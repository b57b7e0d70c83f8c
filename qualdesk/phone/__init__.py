"""The app's own phone: a SIP engine (baresip) run as a child process.

- ``engine``: starts baresip with a config folder of its own, speaks its control socket
  (``ctrl_tcp``: JSON in netstrings), restarts it if it dies.
- ``adapter``: the one place that reads engine events; it turns them into plain call
  records (ringing, answered, ended with the SIP code and reason).
- ``outcomes``: what a finished call proposes (busy, no answer, bad number, ...).
- ``phone``: dial / hang up / mute / hold / DTMF / drop a voicemail, for the CLI and the
  cockpit alike; ``voicemail``: the reps' recorded voicemails (WAV checks, conversion).

Nothing outside this package speaks SIP or knows baresip's words.
"""
