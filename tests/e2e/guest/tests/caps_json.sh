# `subzero caps --json` is sent to the host, which parses and checks it (host/caps_json.py).
sz_load
subzero caps --json > /tmp/caps.json || fail "caps --json exited $?"
artifact caps.json /tmp/caps.json
nproc > /tmp/nproc
artifact nproc /tmp/nproc
sz_unload
