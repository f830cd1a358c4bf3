package bench

import (
	"os"
	"testing"
)

func TestParseProcStats(t *testing.T) {
	status := "Name:\tapiserver\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t12\n"
	// The command name holds a space and a ')' on purpose.
	stat := "4242 (api server)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 130 0 0 20 0 12 0 100 0 0"
	got, err := parseProcStats(status, stat)
	if err != nil {
		t.Fatal(err)
	}
	want := ProcStats{RSSMB: 100, PeakRSSMB: 200, CPUSec: 3.8, Threads: 12}
	if got != want {
		t.Fatalf("parseProcStats = %+v, want %+v", got, want)
	}
	for _, bad := range []string{"no paren", "1 (x) S 1 2", "1 (x) S 1 2 3 4 5 6 7 8 9 10 u s"} {
		if _, err := parseProcStats(status, bad); err == nil {
			t.Errorf("parseProcStats(stat %q): no error", bad)
		}
	}
}

func TestReadProcStatsSelf(t *testing.T) {
	st, err := ReadProcStats(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if st.RSSMB <= 0 || st.PeakRSSMB < st.RSSMB || st.Threads < 1 {
		t.Fatalf("implausible stats of this process: %+v", st)
	}
}

func TestMachineParsing(t *testing.T) {
	if got := cpuModel("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: fpu\n"); got != "AMD EPYC 7B13" {
		t.Fatalf("cpuModel = %q", got)
	}
	if got := memTotalGB("MemTotal:       24684544 kB\nMemFree: 1 kB\n"); got != 23.5 {
		t.Fatalf("memTotalGB = %v", got)
	}
}
