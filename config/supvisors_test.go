package config

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
)

func TestSupvisorsSection(t *testing.T) {
	for _, section := range []string{"supvisors", "rpcinterface:supvisors"} {
		t.Run(section, func(t *testing.T) {
			var logs bytes.Buffer
			opts := testOptions("SITE=lab")
			opts.Logger = hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Debug})
			text := "[supervisord]\n[" + section + "]\n"
			if section == "rpcinterface:supvisors" {
				text += "supervisor.rpcinterface_factory = supvisors.plugin:make_supvisors_rpcinterface\n"
			}
			cfg, dir := mustLoad(t, map[string]string{"main.conf": text + `address_list = 10.0.0.1, %(host_node_name)s ,,%(ENV_SITE)s-3
rules_file = %(here)s/rules.xml
state_file = %(here)s/node.state
auto_fence = true
internal_port = 7001
event_port = 7002
synchro_timeout = 30
starting_strategy = less_loaded
conciliation_strategy = RUNNING_FAILURE
gossip_key = MDEyMzQ1Njc4OWFiY2RlZg==, YWJjZGVmZ2hpamtsbW5vcA==
stats_periods = 60,1,3600
stats_histo = 1500
logfile = supvisors.log
logfile_maxbytes = 1MB
logfile_backups = 1
loglevel = debug
stats_irix_mode = true
probe_interval = 150ms
probe_timeout = 0.1s
gossip_interval = 40ms
push_pull_interval = 5s
suspicion_mult = 3
quorum = majority
`, "rules.xml": "<root/>"}, opts)
			want := Supvisors{Present: true, AddressList: []string{"10.0.0.1", "node1", "lab-3"}, RulesFile: dir + "/rules.xml", StateFile: dir + "/node.state",
				AutoFence: true, InternalPort: 7001, EventPort: 7002, SynchroTimeout: 30, StartingStrategy: "LESS_LOADED",
				ConciliationStrategy: "RUNNING_FAILURE", HostName: "node1", GossipKeys: [][]byte{[]byte("0123456789abcdef"), []byte("abcdefghijklmnop")}, StatsPeriods: []int{1, 60, 3600}, StatsHisto: 1500, StatsIrixMode: true,
				ProbeInterval: 150 * time.Millisecond, ProbeTimeout: 100 * time.Millisecond, GossipInterval: 40 * time.Millisecond,
				PushPullInterval: 5 * time.Second, SuspicionMult: 3, Quorum: 2}
			if !reflect.DeepEqual(cfg.Supvisors, want) {
				t.Errorf("supvisors = %+v\nwant %+v", cfg.Supvisors, want)
			}
			if !strings.Contains(logs.String(), "key=loglevel") {
				t.Errorf("no debug line for the ignored loglevel in:\n%s", logs.String())
			}
		})
	}
}

func TestSupvisorsFactoryKeyOnlyInRPCInterface(t *testing.T) {
	_, dir, err := loadMain(t, "[supervisord]\n[supvisors]\nsupervisor.rpcinterface_factory = x\n")
	wantConfigError(t, err, dir, 3, "unknown key")
	_, dir, err = loadMain(t, "[supervisord]\n[supvisors]\n[rpcinterface:supvisors]\n")
	wantConfigError(t, err, dir, 3, "both [supvisors] and [rpcinterface:supvisors]")
}

// TestSupvisorsEnvironmentOverrides checks that SUPVISORS_<KEY> of the
// injected environment (never the process's own) override the file.
func TestSupvisorsEnvironmentOverrides(t *testing.T) {
	t.Setenv("SUPVISORS_INTERNAL_PORT", "not read: the test injects its own environment")
	cfg, _ := mustLoad(t, map[string]string{"main.conf": "[supervisord]\n[supvisors]\naddress_list = a,b\nauto_fence = false\nevent_port = 9000\n"},
		testOptions("SUPVISORS_ADDRESS_LIST=x, y", "SUPVISORS_AUTO_FENCE=true", "SUPVISORS_EVENT_PORT=", "SUPVISORS_GOSSIP_KEY=MDEyMzQ1Njc4OWFiY2RlZg=="))
	s := cfg.Supvisors
	if !reflect.DeepEqual(s.AddressList, []string{"x", "y"}) || !s.AutoFence || s.EventPort != 9000 || s.InternalPort != 65001 || len(s.GossipKeys) != 1 || len(s.GossipKeys[0]) != 16 {
		t.Errorf("supvisors = %+v: want address_list and auto_fence from the environment, event_port from the file (empty variable)", s)
	}
	// Overrides apply without a section too.
	cfg, dir := mustLoad(t, map[string]string{"main.conf": "[supervisord]\n"}, testOptions("SUPVISORS_SYNCHRO_TIMEOUT=3"))
	if cfg.Supvisors.Present || cfg.Supvisors.SynchroTimeout != 3 {
		t.Errorf("supvisors = %+v, want not present and synchro_timeout 3", cfg.Supvisors)
	}
	// The state file is beside the configuration by default.
	if want := dir + "/supvisors.state"; cfg.Supvisors.StateFile != want {
		t.Errorf("state_file = %q, want %q", cfg.Supvisors.StateFile, want)
	}
}

func TestSupvisorsErrors(t *testing.T) {
	cases := []struct {
		name, body string
		line       int
		want       string
	}{
		{"port zero", "internal_port=0\n", 3, "[supvisors] internal_port: invalid value 0: expected in [1;65535]"},
		{"port text", "event_port=x\n", 3, `[supvisors] event_port: invalid integer "x"`},
		{"same ports", "internal_port=7000\nevent_port=7000\n", 4, "event_port and internal_port are both 7000"},
		{"timeout", "synchro_timeout=0\n", 3, "[supvisors] synchro_timeout: invalid value 0: expected in [1;1000]"},
		{"duplicate address", "address_list=a,b,a\n", 3, "[supvisors] address_list: address a is listed twice"},
		{"empty address list", "address_list= , \n", 3, "address_list is empty"},
		{"strategy", "starting_strategy=RANDOM\n", 3, `[supvisors] starting_strategy: invalid value "RANDOM": expected one of CONFIG, LESS_LOADED, MOST_LOADED, LOCAL, LESS_LOADED_NODE, MOST_LOADED_NODE`},
		{"host name blank", "host_name=a b\n", 3, `[supvisors] host_name: invalid host name "a b": expected 1 to 64 characters, no blank`},
		{"host name long", "host_name=" + strings.Repeat("h", 65) + "\n", 3, "expected 1 to 64 characters"},
		{"conciliation", "conciliation_strategy=x\n", 3, "expected one of SENICIDE, INFANTICIDE, USER, STOP, RESTART, RUNNING_FAILURE"},
		{"gossip key base64", "gossip_key=!!\n", 3, "gossip_key 1 is not valid base64"},
		{"gossip key size", "gossip_key=MDEy\n", 3, "gossip_key 1 decodes to 3 bytes, expected 16, 24 or 32"},
		{"second gossip key", "gossip_key=MDEyMzQ1Njc4OWFiY2RlZg==, MDEy\n", 3, "gossip_key 2 decodes to 3 bytes"},
		{"stats periods count", "stats_periods=5,10,15,20\n", 3, "stats_periods has 4 values, expected 1 to 3"},
		{"stats period twice", "stats_periods=12,3,12\n", 3, "[supvisors] stats_periods: period 12 is listed twice"},
		{"stats period zero", "stats_periods=0\n", 3, "[supvisors] stats_periods: invalid value 0: expected in [1;3600]"},
		{"stats period range", "stats_periods=1,3601\n", 3, "[supvisors] stats_periods: invalid value 3601: expected in [1;3600]"},
		{"stats period fraction", "stats_periods=2.5\n", 3, "[supvisors] stats_periods: invalid integer"},
		{"stats irix mode", "stats_irix_mode=maybe\n", 3, "[supvisors] stats_irix_mode:"},
		{"stats histo", "stats_histo=5\n", 3, "expected in [10;1500]"},
		{"rules file directory", "rules_file=/nonexistent/dir/rules.xml\n", 3, "does not exist"},
		{"state file directory", "state_file=/nonexistent/dir/x.state\n", 3, "[supvisors] state_file: the directory named as part of the path /nonexistent/dir/x.state does not exist"},
		{"state file empty", "state_file=\n", 3, "[supvisors] state_file: state_file is empty"},
		{"unknown key", "address=a\n", 3, "[supvisors] address: unknown key"},
		{"duration", "probe_interval=200\n", 3, `[supvisors] probe_interval: invalid duration "200": expected e.g. 200ms or 1s`},
		{"duration range", "gossip_interval=2h\n", 3, "[supvisors] gossip_interval: invalid duration 2h0m0s: expected in [1ms;1h]"},
		{"suspicion", "suspicion_mult=0\n", 3, "[supvisors] suspicion_mult: invalid value 0: expected in [1;20]"},
		{"quorum", "address_list=a,b,c\nquorum=4\n", 4, "[supvisors] quorum: invalid value 4: expected in [1;3], or majority"},
		{"quorum word", "quorum=most\n", 3, `[supvisors] quorum: invalid integer "most"`},
		{"expansion", "rules_file=%(program_name)s\n", 3, "cannot be expanded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, dir, err := loadMain(t, "[supervisord]\n[supvisors]\n"+tc.body)
			wantConfigError(t, err, dir, tc.line, tc.want)
		})
	}
}

func TestSupvisorsEnvironmentErrorNamesTheVariable(t *testing.T) {
	_, _, err := loadFiles(t, map[string]string{"main.conf": "[supervisord]\n[supvisors]\ninternal_port=1\n"},
		testOptions("SUPVISORS_INTERNAL_PORT=abc"))
	var cerr *Error
	want := `environment variable SUPVISORS_INTERNAL_PORT: [supvisors] internal_port: invalid integer "abc"`
	if !errors.As(err, &cerr) || cerr.Env != "SUPVISORS_INTERNAL_PORT" || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}
