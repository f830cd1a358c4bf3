package simulated

import (
	"bytes"
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestLifetimes(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		ann       map[string]string
		after     time.Duration
		wantState runtime.State
		wantCode  int32
		wantErr   bool
	}{
		{"runs forever", nil, time.Hour, runtime.StateRunning, 0, false},
		{"completes", map[string]string{AnnotationCompleteAfter: "5s"}, 5 * time.Second, runtime.StateExited, 0, false},
		{"not yet complete", map[string]string{AnnotationCompleteAfter: "5s"}, 4 * time.Second, runtime.StateRunning, 0, false},
		{"fails", map[string]string{AnnotationFailAfter: "1s"}, time.Second, runtime.StateExited, 1, false},
		{"completes at once", map[string]string{AnnotationCompleteAfter: "0s"}, 0, runtime.StateExited, 0, false},
		{"bad duration", map[string]string{AnnotationFailAfter: "soon"}, 0, runtime.StateExited, 128, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := New(nil)
			r.now = func() time.Time { return now }
			_, err := r.Start(context.Background(), runtime.ContainerSpec{PodUID: "u", Name: "c", Annotations: tc.ann})
			if (err != nil) != tc.wantErr {
				t.Fatalf("start error = %v", err)
			}
			r.now = func() time.Time { return now.Add(tc.after) }
			st := r.Containers("u")[0]
			if st.State != tc.wantState || (st.Exit != nil && st.Exit.ExitCode != tc.wantCode) {
				t.Fatalf("status = %+v exit %+v", st, st.Exit)
			}
		})
	}
}

func TestRestartStopAndNotify(t *testing.T) {
	notified := make(chan string, 1)
	r := New(func(uid string) { notified <- uid })
	ctx := context.Background()
	ann := map[string]string{AnnotationFailAfter: "10ms"}
	if _, err := r.Start(ctx, runtime.ContainerSpec{PodUID: "u", Name: "c", Annotations: ann}); err != nil {
		t.Fatal(err)
	}
	select {
	case uid := <-notified:
		if uid != "u" {
			t.Fatalf("notified %q", uid)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no notification")
	}
	st, err := r.Start(ctx, runtime.ContainerSpec{PodUID: "u", Name: "c"})
	if err != nil || st.Attempt != 1 || st.LastTermination == nil || st.LastTermination.ExitCode != 1 {
		t.Fatalf("restart = %+v %v", st, err)
	}
	if _, err := r.Start(ctx, runtime.ContainerSpec{PodUID: "u", Name: "c"}); err == nil {
		t.Fatal("started a running container twice")
	}
	if err := r.Stop(ctx, "u", "c", time.Second); err != nil {
		t.Fatal(err)
	}
	if st := r.Containers("u")[0]; st.State != runtime.StateExited || st.Exit.ExitCode != 143 {
		t.Fatalf("stopped = %+v", st)
	}
	var b bytes.Buffer
	if err := r.Logs(ctx, "u", "c", runtime.LogOptions{TailLines: -1}, &b); err != nil || b.Len() == 0 {
		t.Fatalf("logs = %q %v", b.String(), err)
	}
	if err := r.RemovePod(ctx, "u"); err != nil || len(r.Pods()) != 0 {
		t.Fatalf("remove: %v %v", err, r.Pods())
	}
}
