package strategy

import (
	"slices"
	"testing"
)

func TestRollout(t *testing.T) {
	type proc struct {
		name    string
		running bool
		seq     int
	}
	cases := []struct {
		name  string
		procs []proc
		want  []string
	}{
		{"homogeneous group in name order", []proc{{"w_0", true, 0}, {"w_1", true, 0}, {"w_2", true, 0}, {"w_3", true, 0}}, []string{"w_0", "w_1", "w_2", "w_3"}},
		{"by stop_sequence first", []proc{{"db", true, 2}, {"front", true, 1}, {"w_0", true, 1}, {"cache", true, 0}}, []string{"cache", "front", "w_0", "db"}},
		{"stopped ones left alone", []proc{{"a", false, 0}, {"b", true, 3}, {"c", false, 1}}, []string{"b"}},
		{"nothing runs", []proc{{"a", false, 0}}, nil},
	}
	for _, tc := range cases {
		order := Rollout(tc.procs, func(p proc) bool { return p.running }, func(p proc) int { return p.seq })
		var got []string
		for _, p := range order {
			got = append(got, p.name)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
