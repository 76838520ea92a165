package agent

import (
	"fmt"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/supvisors/supvisors-go/config"
)

// applyProcessSettings applies the [supervisord] settings that change the
// agent process itself: working directory, umask, resource limits and user.
func applyProcessSettings(sd config.Supervisord) error {
	if sd.Directory != "" {
		if err := os.Chdir(sd.Directory); err != nil {
			return fmt.Errorf("[supervisord] directory: %w", err)
		}
	}
	syscall.Umask(int(sd.Umask))
	if err := raiseLimit(syscall.RLIMIT_NOFILE, uint64(sd.Minfds), "minfds", "file descriptors"); err != nil {
		return err
	}
	if err := raiseLimit(unix.RLIMIT_NPROC, uint64(sd.Minprocs), "minprocs", "processes"); err != nil {
		return err
	}
	return dropPrivileges(sd.User)
}

// raiseLimit makes sure the soft limit is at least min, as supervisord's
// set_rlimits_or_exit does.
func raiseLimit(resource int, min uint64, key, what string) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(resource, &lim); err != nil {
		return fmt.Errorf("[supervisord] %s: read limit: %w", key, err)
	}
	if lim.Cur == unix.RLIM_INFINITY || lim.Cur >= min {
		return nil
	}
	want := syscall.Rlimit{Cur: min, Max: max(lim.Max, min)}
	if lim.Max == unix.RLIM_INFINITY {
		want.Max = lim.Max
	}
	if err := syscall.Setrlimit(resource, &want); err != nil {
		return fmt.Errorf("[supervisord] %s: %d %s are required but the environment allows only %d: raise the limit or lower %s",
			key, min, what, lim.Max, key)
	}
	return nil
}

// dropPrivileges switches to [supervisord] user when running as root; a
// non-root agent may only name itself.
func dropPrivileges(name string) error {
	if name == "" {
		return nil
	}
	u, err := lookupUser(name)
	if err != nil {
		return fmt.Errorf("[supervisord] user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if os.Getuid() == uid {
		return nil
	}
	if os.Getuid() != 0 {
		return fmt.Errorf("[supervisord] user: can't drop privilege as nonroot user")
	}
	groups, err := u.GroupIds()
	if err != nil {
		return fmt.Errorf("[supervisord] user: groups of %s: %w", name, err)
	}
	gids := make([]int, 0, len(groups))
	for _, g := range groups {
		if n, err := strconv.Atoi(g); err == nil {
			gids = append(gids, n)
		}
	}
	if err := syscall.Setgroups(gids); err != nil {
		return fmt.Errorf("[supervisord] user: setgroups: %w", err)
	}
	if err := syscall.Setgid(gid); err != nil {
		return fmt.Errorf("[supervisord] user: setgid: %w", err)
	}
	if err := syscall.Setuid(uid); err != nil {
		return fmt.Errorf("[supervisord] user: setuid: %w", err)
	}
	return nil
}

// lookupUser accepts a user name or a numeric uid.
func lookupUser(name string) (*user.User, error) {
	if _, err := strconv.Atoi(name); err == nil {
		return user.LookupId(name)
	}
	return user.Lookup(name)
}

// chown applies [unix_http_server] chown ("user" or "user:group").
func chown(path, owner string) error {
	if owner == "" {
		return nil
	}
	userName, groupName, _ := strings.Cut(owner, ":")
	u, err := lookupUser(userName)
	if err != nil {
		return fmt.Errorf("chown %s: %w", path, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if groupName != "" {
		g, err := user.LookupGroup(groupName)
		if err != nil {
			return fmt.Errorf("chown %s: %w", path, err)
		}
		gid, _ = strconv.Atoi(g.Gid)
	}
	if err := os.Chown(path, uid, gid); err != nil {
		return fmt.Errorf("chown %s: %w", path, err)
	}
	return nil
}

// resolveAddress picks which entry of address_list this agent is (DESIGN.md:
// --address, else the host of [inet_http_server] port, else one of the host's
// own addresses or its host name).
func resolveAddress(cfg *config.Config, flag string) (string, error) {
	var inetPort string
	if cfg.InetHTTPServer != nil {
		inetPort = cfg.InetHTTPServer.Port
	}
	hostname, _ := os.Hostname()
	return config.ResolveAddress(cfg.Supvisors.AddressList, flag, inetPort, hostIPs(), hostname)
}

func hostIPs() []net.IP {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var ips []net.IP
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			ips = append(ips, n.IP)
		}
	}
	return ips
}
