package fault

import (
	"errors"
	"testing"
)

func TestFrom(t *testing.T) {
	f := New(NoFile, "x")
	if got := From(errors.Join(errors.New("a"), f)); got != f {
		t.Errorf("wrapped fault: got %v", got)
	}
	if got := From(errors.New("disk full")); got.Code != Failed || got.String != "FAILED: disk full" {
		t.Errorf("plain error: got %+v", got)
	}
}
