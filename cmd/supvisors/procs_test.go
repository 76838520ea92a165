package main

import "testing"

func TestProcsFor(t *testing.T) {
	for _, c := range []struct {
		name                 string
		current, most, quiet int
		load                 float64
		want                 int
	}{
		{"quiet on one stays on one", 1, 4, 3, 0.01, 1},
		{"busy takes every processor", 1, 4, 0, 0.25, 4},
		{"between the marks keeps the count", 1, 4, 0, 0.1, 1},
		{"busy on every processor stays there", 4, 4, 0, 0.9, 4},
		{"a few quiet samples keep every processor", 4, 4, quietSamples - 1, 0.01, 4},
		{"enough quiet samples bring one back", 4, 4, quietSamples, 0.01, 1},
		{"a busy sample wins over a quiet count", 4, 4, quietSamples, busyLoad, 4},
	} {
		if got := procsFor(c.current, c.most, c.load, c.quiet); got != c.want {
			t.Errorf("%s: procsFor(%d, %d, %v, %d) = %d, want %d", c.name, c.current, c.most, c.load, c.quiet, got, c.want)
		}
	}
}
