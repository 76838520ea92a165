package process

import (
	"strings"

	"github.com/supvisors/supvisors-go/config"
)

// agentOnlyPrefix starts the names of the agent's own variables
// (SUPVISORS_GOSSIP_KEY, SUPVISORS_ADDRESS...): they are kept from children,
// which must learn nothing of the agent, whatever user they run as.
const agentOnlyPrefix = "SUPVISORS_"

// childEnv is the environment Supervisor gives a child (_spawn_as_child):
// the agent's own environment less its SUPVISORS_* variables, SUPERVISOR_ENABLED=1,
// SUPERVISOR_SERVER_URL (the program's serverurl, else serverURL, omitted
// when both are empty), SUPERVISOR_PROCESS_NAME, SUPERVISOR_GROUP_NAME, then
// the [supervisord] environment, then the program's; a later value replaces
// an earlier one in place. The configuration's environment lines may set
// SUPVISORS_* variables: only the agent's own are dropped.
func childEnv(base []string, serverURL string, global []config.EnvVar, cfg *config.Process) []string {
	var e envList
	for _, kv := range base {
		k, v, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, agentOnlyPrefix) {
			e.set(k, v)
		}
	}
	e.set("SUPERVISOR_ENABLED", "1")
	url := cfg.Serverurl
	if url == "" {
		url = serverURL
	}
	if url != "" {
		e.set("SUPERVISOR_SERVER_URL", url)
	}
	e.set("SUPERVISOR_PROCESS_NAME", cfg.Name)
	e.set("SUPERVISOR_GROUP_NAME", cfg.Group)
	for _, layer := range [][]config.EnvVar{global, cfg.Environment} {
		for _, kv := range layer {
			e.set(kv.Key, kv.Value)
		}
	}
	return e.entries
}

// defaultSearchPath is Supervisor's PATH when the agent has none.
var defaultSearchPath = []string{"/bin", "/usr/bin", "/usr/local/bin"}

// searchPath is ProcessConfig.get_path: the directories a command without
// '/' is looked up in: PATH from the program's environment (which in
// Supervisor includes the [supervisord] environment), else the agent's
// non-empty PATH, else /bin, /usr/bin, /usr/local/bin.
func searchPath(base []string, global []config.EnvVar, cfg *config.Process) []string {
	for _, layer := range [][]config.EnvVar{cfg.Environment, global} {
		for i := len(layer) - 1; i >= 0; i-- {
			if layer[i].Key == "PATH" {
				return strings.Split(layer[i].Value, ":")
			}
		}
	}
	for i := len(base) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(base[i], "PATH="); ok {
			if v == "" {
				break
			}
			return strings.Split(v, ":")
		}
	}
	return defaultSearchPath
}

// envList is an environment that keeps the order in which keys first
// appeared, like the Python dict supervisord builds.
type envList struct {
	entries []string
	index   map[string]int
}

func (e *envList) set(key, value string) {
	if e.index == nil {
		e.index = make(map[string]int)
	}
	kv := key + "=" + value
	if i, ok := e.index[key]; ok {
		e.entries[i] = kv
		return
	}
	e.index[key] = len(e.entries)
	e.entries = append(e.entries, kv)
}
