package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/supvisors/supvisors-go/client"
	"github.com/supvisors/supvisors-go/internal/testnet"
)

// Credentials of every agent's HTTP server.
const user, password = "scale", "scale"

// ports are the ports every agent listens on, each on its own address.
type ports struct{ http, gossip, event, pprof int }

// agent is one supvisors process of the cluster under test.
type agent struct {
	address string
	cmd     *exec.Cmd
	rpc     *client.Client
	exited  chan struct{} // closed once cmd has been waited for
}

// pid is the agent's process id.
func (a *agent) pid() int { return a.cmd.Process.Pid }

// alive tells whether the agent has not exited.
func (a *agent) alive() bool {
	select {
	case <-a.exited:
		return false
	default:
		return true
	}
}

// launched holds every agent started, for a stop on a signal.
var launched agentSet

// agentSet is a set of agents. Safe for concurrent use.
type agentSet struct {
	mu     sync.Mutex
	agents []*agent
}

func (s *agentSet) add(a *agent) {
	if a == nil {
		return
	}
	s.mu.Lock()
	s.agents = append(s.agents, a)
	s.mu.Unlock()
}

func (s *agentSet) all() []*agent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.agents)
}

// addresses returns 127.0.0.1 to 127.0.0.n (n ≤ 250), every one on
// loopback on Linux.
func addresses(n int) []string {
	list := make([]string, n)
	for i := range list {
		list[i] = fmt.Sprintf("127.0.0.%d", i+1)
	}
	return list
}

// freePorts finds ports free on every address of list (127.0.0.1 to
// 127.0.0.N; TCP, and UDP for gossip), from base up, in the range below
// Linux's ephemeral ports.
func freePorts(list []string, base int) (ports, error) {
	var found []int
	for port := base; port < 32768 && len(found) < 4; port++ {
		if testnet.PortFree(port, len(list)) {
			found = append(found, port)
		}
	}
	if len(found) < 4 {
		return ports{}, fmt.Errorf("no 4 ports free from %d on every address", base)
	}
	return ports{http: found[0], gossip: found[1], event: found[2], pprof: found[3]}, nil
}

// programName is the program of the agent at index i (each agent has its
// own, so that no process runs on two nodes).
func programName(i int) string { return fmt.Sprintf("p%d", i+1) }

// processName is the name of the first process of the agent at index i.
func processName(i, procs int) string {
	if procs == 1 {
		return programName(i)
	}
	return programName(i) + "_0"
}

// writeConfig writes the configuration of the agent at index i under dir.
func writeConfig(dir string, list []string, i, procs int, p ports) (string, error) {
	address := list[i]
	home := filepath.Join(dir, address)
	if err := os.MkdirAll(home, 0o755); err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "[supervisord]\nlogfile=%s/supervisord.log\npidfile=%s/supervisord.pid\nchildlogdir=%s\n", home, home, home)
	fmt.Fprintf(&b, "\n[inet_http_server]\nport=%s:%d\nusername=%s\npassword=%s\n", address, p.http, user, password)
	fmt.Fprintf(&b, "\n[supvisors]\naddress_list=%s\ninternal_port=%d\nevent_port=%d\n", strings.Join(list, ","), p.gossip, p.event)
	fmt.Fprintf(&b, "\n[program:%s]\ncommand=sleep 1000000\nautostart=true\nstartsecs=0\nstopwaitsecs=2\n", programName(i))
	b.WriteString("stdout_logfile=NONE\nstderr_logfile=NONE\n")
	if procs > 1 {
		fmt.Fprintf(&b, "numprocs=%d\nprocess_name=%%(program_name)s_%%(process_num)d\n", procs)
	}
	path := filepath.Join(home, "supervisord.conf")
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}

// launch starts the agent of address with its configuration; pprof, when
// set, is where it serves its profiles (a pprof build).
func launch(bin, conf, address, pprof string, p ports) (*agent, error) {
	cmd := exec.Command(bin, "-c", conf, "--address", address)
	cmd.Env = os.Environ()
	if pprof != "" {
		cmd.Env = append(cmd.Env, "SUPVISORS_PPROF="+pprof)
	}
	out, err := os.Create(filepath.Join(filepath.Dir(conf), "agent.out"))
	if err != nil {
		return nil, err
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group: a Ctrl-C of the harness is not the agents'
	// (the harness stops them); and if the harness dies, they go too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the agent of %s: %w", address, err)
	}
	rpc, err := client.New(fmt.Sprintf("http://%s:%d", address, p.http), client.Options{Username: user, Password: password, Timeout: 5 * time.Second})
	if err != nil {
		return nil, err
	}
	a := &agent{address: address, cmd: cmd, rpc: rpc, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(a.exited)
	}()
	return a, nil
}

// errExited is returned for an agent that exited while it was waited for.
var errExited = errors.New("the agent exited (see its agent.out)")

// answerPoll is how often an agent is asked whether it answers yet: 100
// agents asked every 20 ms made 5,000 connections a second on the machine
// they start on.
const answerPoll = 100 * time.Millisecond

// waitAnswer polls the agent until it answers an XML-RPC call and returns
// when it did.
func (a *agent) waitAnswer(ctx context.Context) (time.Time, error) {
	tick := time.NewTicker(answerPoll)
	defer tick.Stop()
	for {
		call, cancel := context.WithTimeout(ctx, time.Second)
		_, err := a.rpc.Supervisor().GetState(call)
		cancel()
		if err == nil {
			return time.Now(), nil
		}
		select {
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("%s never answered: %w", a.address, err)
		case <-a.exited:
			return time.Time{}, fmt.Errorf("%s: %w", a.address, errExited)
		case <-tick.C:
		}
	}
}

// stop terminates the agents (they stop their children), and kills those
// still there after grace.
func stop(agents []*agent, grace time.Duration) {
	for _, a := range agents {
		if a.alive() {
			_ = a.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	deadline := time.After(grace)
	for _, a := range agents {
		select {
		case <-a.exited:
		case <-deadline:
			for _, b := range agents {
				if b.alive() {
					_ = b.cmd.Process.Kill()
				}
			}
			<-a.exited
		}
		a.rpc.Close()
	}
}
