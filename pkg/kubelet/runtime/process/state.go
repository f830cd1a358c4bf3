package process

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// stateFileName is the JSON record of a container's latest attempt, kept
// next to its logs so that a restarted kubelet can adopt what still runs.
const stateFileName = "state.json"

// record is what state.json holds.
type record struct {
	PodUID    string `json:"podUID"`
	Namespace string `json:"namespace"`
	PodName   string `json:"podName"`
	Name      string `json:"name"`
	Attempt   int32  `json:"attempt"`
	Pid       int    `json:"pid,omitempty"`
	// StartTicks is field 22 of /proc/<pid>/stat: with the pid it names one
	// process, so a reused pid is never mistaken for ours.
	StartTicks uint64               `json:"startTicks,omitempty"`
	StartedAt  time.Time            `json:"startedAt"`
	Running    bool                 `json:"running"`
	Exit       *runtime.Termination `json:"exit,omitempty"`
	Last       *runtime.Termination `json:"last,omitempty"`
}

func (r *record) id() string {
	if r.Pid == 0 {
		return ""
	}
	return "process://" + strconv.Itoa(r.Pid)
}

func (r *record) status() runtime.ContainerStatus {
	st := runtime.ContainerStatus{
		PodUID: r.PodUID, Name: r.Name, ID: r.id(), Attempt: r.Attempt,
		State: runtime.StateExited, StartedAt: r.StartedAt,
	}
	if r.Running {
		st.State = runtime.StateRunning
	}
	if r.Exit != nil {
		e := *r.Exit
		st.Exit = &e
	}
	if r.Last != nil {
		l := *r.Last
		st.LastTermination = &l
	}
	return st
}

func saveRecord(dir string, r *record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode state of container %s: %w", r.Name, err)
	}
	tmp := filepath.Join(dir, stateFileName+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("write state of container %s: %w", r.Name, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, stateFileName)); err != nil {
		return fmt.Errorf("commit state of container %s: %w", r.Name, err)
	}
	return nil
}

func loadRecord(dir string) (*record, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFileName))
	if err != nil {
		return nil, fmt.Errorf("read container state in %s: %w", dir, err)
	}
	r := &record{}
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("decode container state in %s: %w", dir, err)
	}
	return r, nil
}

// procStat is what /proc/<pid>/stat tells: the state letter and start time.
type procStat struct {
	state      byte
	startTicks uint64
}

// readProcStat parses /proc/<pid>/stat; the command name (field 2) may hold
// spaces and parentheses, so fields are counted after its last ')'.
func readProcStat(pid int) (procStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, fmt.Errorf("read stat of pid %d: %w", pid, err)
	}
	return parseProcStat(b)
}

func parseProcStat(b []byte) (procStat, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("malformed /proc stat %q", b)
	}
	fields := strings.Fields(string(b[i+1:]))
	// fields[0] is field 3 (state); starttime is field 22, i.e. fields[19].
	if len(fields) < 20 || len(fields[0]) != 1 {
		return procStat{}, fmt.Errorf("short /proc stat %q", b)
	}
	ticks, err := strconv.ParseUint(fields[19], 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("parse start time in /proc stat: %w", err)
	}
	return procStat{state: fields[0][0], startTicks: ticks}, nil
}

// sameProcessAlive says whether pid still names the process that started at
// startTicks and has not exited (a zombie has exited).
func sameProcessAlive(pid int, startTicks uint64) bool {
	st, err := readProcStat(pid)
	if err != nil {
		return false
	}
	return st.startTicks == startTicks && st.state != 'Z' && st.state != 'X'
}
