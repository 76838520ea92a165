package logfile

import (
	"bytes"
	"path/filepath"
	"testing"
)

// BenchmarkWrite measures the child-output hot path: 100-byte lines into a
// rotating log (rotation cost amortised over the writes), with and without a
// follower waiting on Changed.
func BenchmarkWrite(b *testing.B) {
	line := append(bytes.Repeat([]byte("x"), 99), '\n')
	cases := []struct {
		name     string
		maxBytes int64
		backups  int
		follower bool
	}{
		{name: "rotate-1MiB-1backup", maxBytes: 1 << 20, backups: 1},
		{name: "truncate-1MiB", maxBytes: 1 << 20, backups: 0},
		{name: "rotate-1MiB-1backup-follower", maxBytes: 1 << 20, backups: 1, follower: true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			f := New(filepath.Join(b.TempDir(), "app.log"), c.maxBytes, c.backups)
			defer f.Close()
			if err := f.Open(); err != nil {
				b.Fatal(err)
			}
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				if !c.follower {
					return
				}
				for {
					select {
					case <-stop:
						return
					case <-f.Changed():
					}
				}
			}()
			b.SetBytes(int64(len(line)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.Write(line); err != nil {
					b.Fatal(err)
				}
			}
			close(stop)
			<-done
		})
	}
}
