# Replays writes through Supervisor's own RotatingFileHandler so that the Go
# tests can compare the files it leaves with logfile.File's.
# stdin: {"path": str, "maxBytes": int, "backups": int, "writes": [int, ...],
#         "unlinkBefore": [int, ...]}
# write i is len bytes of the letter chr(ord('a') + i % 26); path is unlinked
# just before each write listed in unlinkBefore.
import json
import os
import sys

from supervisor import loggers

spec = json.load(sys.stdin)
handler = loggers.RotatingFileHandler(
    spec["path"], "ab", spec["maxBytes"], spec["backups"])
unlink_before = set(spec.get("unlinkBefore") or [])
for i, size in enumerate(spec["writes"]):
    if i in unlink_before:
        os.remove(spec["path"])
    data = bytes([ord("a") + i % 26]) * size
    handler.emit(loggers.LogRecord(loggers.LevelsByName.INFO, data))
handler.close()
