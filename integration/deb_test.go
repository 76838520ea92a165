package integration

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/internal/testwait"
)

// TestDebianPackage builds the package with `make deb` and checks it as
// Debian would: lintian, no path of Debian's supervisor package, and, as
// root, an installation into a scratch root by dpkg (maintainer scripts
// included), the agent run there from the installed unit's command line and
// configuration, a purge, and `systemd-analyze verify` of the unit.
func TestDebianPackage(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"make", "dpkg-deb", "lintian"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: make deps installs it (as root), or apt-get install make dpkg lintian", tool)
		}
	}
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	version, err := os.ReadFile(filepath.Join(repo, "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	deb := filepath.Join(out, "supvisors_"+strings.TrimSpace(string(version))+"_"+mustOutput(t, "dpkg", "--print-architecture")+".deb")
	build := exec.Command("make", "-s", "-C", repo, "deb", "BIN="+out)
	// Not the flags of a make that runs the tests (make test BIN=...).
	build.Env = append(os.Environ(), "MAKEFLAGS=", "MFLAGS=", "MAKELEVEL=")
	if report, err := build.CombinedOutput(); err != nil {
		t.Fatalf("make deb: %v\n%s", err, report)
	}
	files := debFiles(t, deb)
	for _, want := range []string{
		"/usr/bin/supvisors", "/usr/bin/supvisorsctl", "/lib/systemd/system/supvisors.service",
		"/etc/supvisors/supervisord.conf", "/usr/share/man/man1/supvisors.1.gz", "/usr/share/man/man1/supvisorsctl.1.gz",
		"/usr/share/man/man1/supvisorsctl-start_application.1.gz",
		"/usr/share/bash-completion/completions/supvisors", "/usr/share/bash-completion/completions/supvisorsctl",
		"/usr/share/zsh/vendor-completions/_supvisorsctl", "/usr/share/fish/vendor_completions.d/supvisorsctl.fish",
		"/usr/share/doc/supvisors/copyright", "/usr/share/doc/supvisors/changelog.gz",
	} {
		if files[want] != '-' {
			t.Errorf("the package has no file %s", want)
		}
	}
	if conffiles := mustOutput(t, "dpkg-deb", "--info", deb, "conffiles"); conffiles != "/etc/supvisors/supervisord.conf" {
		t.Errorf("conffiles: %q", conffiles)
	}

	t.Run("lintian", func(t *testing.T) {
		// Errors and warnings fail; the overrides say why they are there
		// (packaging/deb/lintian-overrides).
		report, err := exec.Command("lintian", "--fail-on", "error,warning", deb).CombinedOutput()
		if err != nil || bytes.Contains(report, []byte("E: ")) || bytes.Contains(report, []byte("W: ")) {
			t.Errorf("lintian: %v\n%s", err, report)
		}
	})

	t.Run("no path of supervisor", func(t *testing.T) {
		// Installed beside Debian's supervisor (which make deps installs),
		// no file may be one of its paths, nor a directory one of its files.
		theirs := strings.Fields(mustOutput(t, "dpkg", "-L", "supervisor"))
		if len(theirs) == 0 {
			t.Fatal("dpkg -L supervisor lists nothing")
		}
		for _, path := range theirs {
			info, err := os.Stat(path) // a directory may be a link to one (/lib, merged in /usr)
			if err != nil {
				continue // a path the package names but that was removed (a conffile, a diversion)
			}
			if kind, ours := files[path]; ours && (kind != 'd' || !info.IsDir()) {
				t.Errorf("%s is in both packages", path)
			}
		}
		for path := range files {
			if strings.HasPrefix(path, "/etc/supervisor/") || strings.Contains(path, "supervisor.service") ||
				strings.HasSuffix(path, "/supervisord") || strings.HasSuffix(path, "/supervisorctl") {
				t.Errorf("%s is a path of supervisor's", path)
			}
		}
	})

	t.Run("install, run, purge", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("not root: dpkg cannot install into a scratch root, nor the agent run chrooted there")
		}
		installAndRun(t, t.TempDir(), deb, strings.TrimSpace(string(version)))
	})

	t.Run("systemd-analyze verify", func(t *testing.T) {
		if _, err := exec.LookPath("systemd-analyze"); err != nil {
			t.Skip("systemd-analyze not found (Debian's systemd package): the unit is not verified")
		}
		if os.Geteuid() != 0 {
			t.Skip("not root: the package's /usr cannot be laid over the host's for systemd-analyze verify")
		}
		verifyUnit(t, deb)
	})
}

// installAndRun installs deb into the scratch root with dpkg, runs the
// installed agent there as supvisors.service would, then purges the package.
func installAndRun(t *testing.T, root, deb, version string) {
	// An empty dpkg database. The maintainer scripts run outside the root
	// (there is no shell in it) with DPKG_ROOT set, which they honour: the
	// unit is enabled in the root, and nothing of the host is started.
	if err := os.MkdirAll(filepath.Join(root, "var/lib/dpkg"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	dpkg := func(args ...string) string {
		return mustOutput(t, "dpkg", append([]string{"--root=" + root, "--force-script-chrootless"}, args...)...)
	}
	dpkg("--install", deb)
	enabled := filepath.Join(root, "etc/systemd/system/multi-user.target.wants/supvisors.service")
	if target, err := os.Readlink(enabled); err != nil || target != "/lib/systemd/system/supvisors.service" {
		t.Errorf("postinst did not enable the unit: %q, %v", target, err)
	}
	for _, bin := range []string{"supvisors", "supvisorsctl"} {
		if got, want := mustOutput(t, filepath.Join(root, "usr/bin", bin), "--version"), bin+" version "+version; got != want {
			t.Errorf("%s --version: %q, want %q", bin, got, want)
		}
	}

	// What systemd does for the unit: make its directories, then run
	// ExecStart, with the installed configuration, chrooted in the root
	// (the configuration's absolute paths are the root's): the static
	// binaries need nothing else there.
	unit := unitKeys(t, filepath.Join(root, "lib/systemd/system/supvisors.service"))
	if unit["KillMode"] != "mixed" || unit["ExecReload"] != "/bin/kill -HUP $MAINPID" {
		t.Errorf("unit: KillMode=%s ExecReload=%s", unit["KillMode"], unit["ExecReload"])
	}
	for _, dir := range []string{"run/" + unit["RuntimeDirectory"], "var/log/" + unit["LogsDirectory"]} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	argv := strings.Fields(unit["ExecStart"])
	agent := exec.Command(argv[0], argv[1:]...)
	agent.Dir = "/"
	agent.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	var agentOut bytes.Buffer
	agent.Stdout, agent.Stderr = &agentOut, &agentOut
	agent.SysProcAttr = &syscall.SysProcAttr{Chroot: root, Pdeathsig: syscall.SIGKILL}
	if err := agent.Start(); err != nil {
		t.Fatalf("start %s chrooted in %s: %v", unit["ExecStart"], root, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- agent.Wait() }()
	t.Cleanup(func() {
		if agent.ProcessState == nil {
			_ = agent.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("agent output:\n%s", agentOut.String())
		}
	})

	// The installed client, from outside, at the configuration's own
	// serverurl (the unix socket, which only root may use).
	serverURL := confValue(t, filepath.Join(root, "etc/supvisors/supervisord.conf"), "supervisorctl", "serverurl")
	sock, ok := strings.CutPrefix(serverURL, "unix://")
	if !ok {
		t.Fatalf("the configuration's serverurl is %q, not a unix socket", serverURL)
	}
	ctl := func(args ...string) (string, error) {
		out, err := exec.Command(filepath.Join(root, "usr/bin/supvisorsctl"),
			append([]string{"-s", "unix://" + filepath.Join(root, sock)}, args...)...).CombinedOutput()
		return string(out), err
	}
	testwait.For(t, 10*time.Second, func() (bool, string) {
		out, err := ctl("status")
		return err == nil, out
	})

	// A program in conf.d, applied by the unit's reload (SIGHUP). Inside the
	// root, it reaches the agent by SUPERVISOR_SERVER_URL, which it is given.
	probe := "[program:probe]\ncommand=/usr/bin/supvisorsctl version\nautorestart=false\nstartsecs=0\n"
	if err := os.WriteFile(filepath.Join(root, "etc/supvisors/conf.d/probe.conf"), []byte(probe), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := agent.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() (bool, string) {
		out, _ := ctl("status", "probe")
		return strings.Contains(out, "EXITED"), out
	})
	if out, err := ctl("tail", "probe"); err != nil || strings.TrimSpace(out) != "4.2.5" {
		t.Errorf("the probe's output: %q, %v", out, err)
	}

	// KillMode=mixed: SIGTERM to the agent alone, which exits 0.
	if err := agent.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the agent's exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the agent did not exit within 10 s of SIGTERM")
	}
	if log, err := os.ReadFile(filepath.Join(root, "var/log/supvisors/supvisors.log")); err != nil || !bytes.Contains(log, []byte("spawned: 'probe'")) {
		t.Errorf("the agent's log in the root: %v\n%s", err, log)
	}

	// A purge leaves nothing of the package: files, conffile, the unit's
	// enablement (postrm), the logs.
	if err := os.Remove(filepath.Join(root, "etc/supvisors/conf.d/probe.conf")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(root, "run")); err != nil { // systemd's, at the unit's stop
		t.Fatal(err)
	}
	dpkg("--purge", "supvisors")
	for _, path := range []string{"usr/bin/supvisors", "etc/supvisors", "var/log/supvisors", enabled[len(root)+1:],
		"var/lib/systemd/deb-systemd-helper-enabled/supvisors.service.dsh-also"} {
		if _, err := os.Lstat(filepath.Join(root, path)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("/%s is left after the purge (%v)", path, err)
		}
	}
}

// verifyUnit runs systemd-analyze verify on the package's unit as it would
// be installed on this host: in a mount namespace of its own, the
// package's /usr laid over the host's (an overlay), so that the unit's
// commands and man pages are found.
func verifyUnit(t *testing.T, deb string) {
	files := t.TempDir()
	mustOutput(t, "dpkg-deb", "-x", deb, files)
	script := `mount -t overlay overlay -o lowerdir="$1/usr":/usr /usr || exit 99
exec systemd-analyze verify "$1/lib/systemd/system/supvisors.service"`
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "unshare", "--mount", "sh", "-c", script, "sh", files).CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 99 {
		t.Skipf("no overlay mount here, the unit is not verified: %s", out)
	}
	// verify exits 0 on what it only warns of (an unknown key, a bad value):
	// it must say nothing.
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// mustOutput runs a command that must succeed and returns its output, trimmed.
func mustOutput(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, exit.Stderr)
		}
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// debFiles lists the package's paths (absolute) with their kind, as
// dpkg-deb --contents shows it: 'd' for a directory, '-' a file, 'l' a link.
func debFiles(t *testing.T, deb string) map[string]byte {
	files := map[string]byte{}
	for _, line := range strings.Split(mustOutput(t, "dpkg-deb", "--contents", deb), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 6 {
			t.Fatalf("dpkg-deb --contents: %q", line)
		}
		path := strings.TrimSuffix(strings.TrimPrefix(fields[5], "."), "/")
		if path != "" {
			files[path] = fields[0][0]
		}
	}
	return files
}

// unitKeys reads a systemd unit's Key=value lines (the last of a key wins).
func unitKeys(t *testing.T, file string) map[string]string {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if key, value, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			keys[strings.TrimSpace(key)] = strings.TrimSpace(value)
		}
	}
	return keys
}

// confValue reads key in [section] of a supervisord.conf (no continuation
// lines, inline comments after whitespace).
func confValue(t *testing.T, file, section, key string) string {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in := false
	for scan := bufio.NewScanner(f); scan.Scan(); {
		line := strings.TrimSpace(scan.Text())
		if strings.HasPrefix(line, "[") {
			in = line == "["+section+"]"
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && in && strings.TrimSpace(k) == key {
			v, _, _ = strings.Cut(v, " ;")
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("%s: no %s in [%s]", file, key, section)
	return ""
}
