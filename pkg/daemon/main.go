package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"
	"go.uber.org/zap"
)

// Command is what a daemon's setup tells Main once its flags are
// registered.
type Command struct {
	// Log holds the logging options when the daemon registered them itself
	// (for example inside its options struct); nil: Main registers
	// --log-level and --log-format.
	Log *LogOptions
	// Validate, if set, runs after parsing, before the logger is built.
	Validate func() error
	// Run is the daemon: it returns when ctx ends (SIGINT or SIGTERM) or it
	// fails.
	Run func(ctx context.Context, log *zap.Logger) error
}

// Main is a daemon's whole main function: it registers the daemon's flags
// (setup) on a flag set named name, parses the command line, validates,
// builds the logger and calls Run with a context cancelled on SIGINT or
// SIGTERM. An error is printed as "name: error" and exits with code 1, or
// the code given to WithExitCode.
//
//	func main() {
//		daemon.Main("scheduler", func(fs *pflag.FlagSet) daemon.Command {
//			opts := app.NewOptions()
//			opts.AddFlags(fs)
//			return daemon.Command{Run: func(ctx context.Context, log *zap.Logger) error {
//				return app.Run(ctx, opts, log)
//			}}
//		})
//	}
func Main(name string, setup func(fs *pflag.FlagSet) Command) {
	fs := pflag.NewFlagSet(name, pflag.ExitOnError)
	os.Exit(runMain(fs, os.Args[1:], os.Stderr, setup))
}

// runMain is Main on a given flag set, arguments and error output; it
// returns the exit code.
func runMain(fs *pflag.FlagSet, args []string, stderr io.Writer, setup func(fs *pflag.FlagSet) Command) int {
	if err := runCommand(fs, args, setup); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
		return exitCode(err)
	}
	return 0
}

func runCommand(fs *pflag.FlagSet, args []string, setup func(fs *pflag.FlagSet) Command) error {
	cmd := setup(fs)
	logOpts := cmd.Log
	if logOpts == nil {
		logOpts = NewLogOptions()
		logOpts.AddFlags(fs)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cmd.Validate != nil {
		if err := cmd.Validate(); err != nil {
			return err
		}
	}
	log, err := logOpts.Build()
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	ctx, stop := SignalContext(context.Background())
	defer stop()
	return cmd.Run(ctx, log)
}

// exitCodeError carries the exit code Main ends with.
type exitCodeError struct {
	err  error
	code int
}

func (e *exitCodeError) Error() string { return e.err.Error() }
func (e *exitCodeError) Unwrap() error { return e.err }

// WithExitCode makes Main exit with code when a daemon's Run returns err
// (for example 2 when the controller-manager loses its lease). A nil err
// stays nil.
func WithExitCode(err error, code int) error {
	if err == nil {
		return nil
	}
	return &exitCodeError{err: err, code: code}
}

func exitCode(err error) int {
	if e, ok := errors.AsType[*exitCodeError](err); ok {
		return e.code
	}
	return 1
}
