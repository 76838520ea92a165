package enums

import "testing"

func TestStrategyNames(t *testing.T) {
	for code, name := range startingNames {
		if s, err := ParseStarting(name); err != nil || int(s) != code || s.String() != name {
			t.Errorf("starting %s: %v %v", name, s, err)
		}
		if s, ok := StartingFromCode(code); !ok || s.String() != name {
			t.Errorf("starting code %d: %v", code, s)
		}
	}
	for code, name := range conciliationNames {
		if s, err := ParseConciliation(name); err != nil || int(s) != code || s.String() != name {
			t.Errorf("conciliation %s: %v %v", name, s, err)
		}
	}
	if s, err := ParseRunningFailure("restart_process"); err != nil || s != RunRestartProcess {
		t.Errorf("lower case: %v %v", s, err)
	}
	if _, err := ParseStartingFailure("SOMETIMES"); err == nil {
		t.Error("bad name accepted")
	}
	if _, ok := StartingFromCode(6); ok {
		t.Error("code 6 accepted")
	}
	if s, ok := StartingFromCode(5); !ok || s != StartMostLoadedNode || s.String() != "MOST_LOADED_NODE" {
		t.Errorf("code 5: %v", s)
	}
	if StartingStrategy(9).String() != "STRATEGY_9" {
		t.Error(StartingStrategy(9).String())
	}
}
