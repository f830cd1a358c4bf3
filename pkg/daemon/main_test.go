package daemon

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/spf13/pflag"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func TestMainRunsTheCommand(t *testing.T) {
	errLost := errors.New("lease lost")
	cases := []struct {
		name     string
		args     []string
		ownLog   bool
		validate error
		runErr   error
		wantCode int
		wantOut  string
		wantRun  bool
		wantLvl  zapcore.Level
	}{
		{name: "runs with parsed flags", args: []string{"--greeting=hi", "--log-level=debug"}, wantRun: true, wantLvl: zapcore.DebugLevel},
		{name: "daemon's own log options", args: []string{"--log-level=warn"}, ownLog: true, wantRun: true, wantLvl: zapcore.WarnLevel},
		{name: "run error exits 1", runErr: errors.New("boom"), wantCode: 1, wantOut: "test: boom\n", wantRun: true, wantLvl: zapcore.InfoLevel},
		{name: "WithExitCode", runErr: WithExitCode(errLost, 2), wantCode: 2, wantOut: "test: lease lost\n", wantRun: true, wantLvl: zapcore.InfoLevel},
		{name: "validation fails before run", validate: errors.New("bad opts"), wantCode: 1, wantOut: "test: bad opts\n"},
		{name: "bad log level", args: []string{"--log-level=loud"}, wantCode: 1, wantOut: "test: "},
		{name: "unknown flag", args: []string{"--nope"}, wantCode: 1, wantOut: "test: unknown flag: --nope\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var greeting string
			ran := false
			var lvl zapcore.Level
			setup := func(fs *pflag.FlagSet) Command {
				fs.StringVar(&greeting, "greeting", "hello", "")
				cmd := Command{Run: func(ctx context.Context, log *zap.Logger) error {
					ran = true
					lvl = log.Level()
					if ctx.Err() != nil {
						t.Error("context already done")
					}
					return tc.runErr
				}}
				if tc.ownLog {
					cmd.Log = NewLogOptions()
					cmd.Log.AddFlags(fs)
				}
				if tc.validate != nil {
					cmd.Validate = func() error { return tc.validate }
				}
				return cmd
			}
			var out bytes.Buffer
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			fs.SetOutput(&bytes.Buffer{})
			code := runMain(fs, tc.args, &out, setup)
			if code != tc.wantCode || ran != tc.wantRun {
				t.Fatalf("code %d, ran %v; want %d, %v (stderr %q)", code, ran, tc.wantCode, tc.wantRun, out.String())
			}
			if !bytes.HasPrefix(out.Bytes(), []byte(tc.wantOut)) || (tc.wantOut == "" && out.Len() > 0) {
				t.Fatalf("stderr %q, want prefix %q", out.String(), tc.wantOut)
			}
			if ran && lvl != tc.wantLvl {
				t.Fatalf("log level %v, want %v", lvl, tc.wantLvl)
			}
			if tc.name == "runs with parsed flags" && greeting != "hi" {
				t.Fatalf("greeting = %q, want hi", greeting)
			}
		})
	}
}

func TestWithExitCode(t *testing.T) {
	base := errors.New("x")
	if WithExitCode(nil, 2) != nil {
		t.Fatal("nil error must stay nil")
	}
	wrapped := WithExitCode(base, 2)
	if !errors.Is(wrapped, base) || exitCode(wrapped) != 2 || exitCode(base) != 1 {
		t.Fatalf("exit codes %d, %d; want 2, 1", exitCode(wrapped), exitCode(base))
	}
	if exitCode(errors.Join(wrapped)) != 2 {
		t.Fatal("a wrapped exit code must survive further wrapping")
	}
}
