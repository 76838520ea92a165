package config

import (
	"fmt"
	"os/user"
	"strconv"
	"strings"
)

// lookupUser is Supervisor's name_to_uid (a user name or a numeric id that
// must exist) plus the user's primary group.
func lookupUser(name string) (uid, gid int, err error) {
	var u *user.User
	if n, ok := pyInt(name, 10); ok {
		u, err = user.LookupId(strconv.Itoa(n))
		if err != nil {
			return 0, 0, fmt.Errorf("invalid user id %s", name)
		}
	} else {
		u, err = user.Lookup(name)
		if err != nil {
			return 0, 0, fmt.Errorf("invalid user name %s", name)
		}
	}
	uid, uidErr := strconv.Atoi(u.Uid)
	gid, gidErr := strconv.Atoi(u.Gid)
	if uidErr != nil || gidErr != nil {
		return 0, 0, fmt.Errorf("user %s has a non-numeric id", name)
	}
	return uid, gid, nil
}

// checkUserGroup is Supervisor's colon_separated_user_group: "user" or
// "user:group", each a name or an existing numeric id.
func checkUserGroup(s string) error {
	name, group, hasGroup := strings.Cut(s, ":")
	if _, _, err := lookupUser(name); err != nil {
		return fmt.Errorf("invalid user:group definition %s", s)
	}
	if !hasGroup {
		return nil
	}
	var err error
	if n, ok := pyInt(group, 10); ok {
		_, err = user.LookupGroupId(strconv.Itoa(n))
	} else {
		_, err = user.LookupGroup(group)
	}
	if err != nil {
		return fmt.Errorf("invalid user:group definition %s", s)
	}
	return nil
}
