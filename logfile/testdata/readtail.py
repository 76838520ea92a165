# Answers readFile and tailFile (supervisor.options) for a grid of
# arguments, so that the Go tests can compare logfile.Read and Tail with them.
# stdin: {"path": str, "cases": [[offset, length], ...]}
# stdout: [{"read": str | null, "fault": str | null, "tail": [str, int, bool]}]
import json
import sys

from supervisor.options import readFile, tailFile

spec = json.load(sys.stdin)
out = []
for offset, length in spec["cases"]:
    result = {"read": None, "fault": None}
    try:
        result["read"] = readFile(spec["path"], offset, length).decode("latin-1")
    except ValueError as e:
        result["fault"] = e.args[0]
    result["tail"] = tailFile(spec["path"], offset, length)
    out.append(result)
json.dump(out, sys.stdout)
