// Package ctl is tinykube's kubectl-like CLI: its commands (get, describe,
// create, apply, replace, patch, edit, delete, logs, scale, rollout, cordon,
// drain, label, annotate, api-resources, version, wait), the resource
// builder that reads names and manifests, and the printers. Resource types
// it has no entry for (custom resources) are found through the server's
// discovery. cmd/ctl only calls Run.
package ctl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/client/clientcmd"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/registry"
)

// IOStreams are the standard streams of a run.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// Env is what every command shares: streams, client flags, the resource
// table and the clock; the clients are built on first use.
type Env struct {
	Streams IOStreams
	Client  *clientcmd.ClientOptions
	Table   *registry.Table
	Now     func() time.Time
	// AllNamespaces is -A / --all-namespaces.
	AllNamespaces bool

	rest  *rest.Client
	disco *discovered // the server's resources, read on first need
}

// REST returns the client built from the flags and kubeconfig.
func (e *Env) REST() (*rest.Client, error) {
	if e.rest != nil {
		return e.rest, nil
	}
	cfg, err := e.Client.RESTConfig()
	if err != nil {
		return nil, err
	}
	cfg.UserAgent = "ctl"
	// A CLI fails fast on a server that is down, yet rides out a 429.
	cfg.MaxRetries = 2
	c, err := rest.New(cfg)
	if err != nil {
		return nil, err
	}
	e.rest = c
	return c, nil
}

// Clientset returns the typed clientset.
func (e *Env) Clientset() (*clientset.Clientset, error) {
	c, err := e.REST()
	if err != nil {
		return nil, err
	}
	return clientset.New(c), nil
}

// Dynamic returns the dynamic client of one resource in namespace ns.
func (e *Env) Dynamic(r *registry.Resource, ns string) (*clientset.DynamicResource, error) {
	c, err := e.REST()
	if err != nil {
		return nil, err
	}
	d := clientset.NewDynamic(c).Resource(clientset.GroupVersionResource{Group: r.Group, Version: r.Version, Resource: r.Resource})
	if r.Namespaced {
		d = d.Namespace(ns)
	}
	return d, nil
}

// Namespace is -n, else the kubeconfig context's, else "default".
func (e *Env) Namespace() (string, error) { return e.Client.DefaultNamespace() }

// command is one verb.
type command struct {
	name  string
	short string
	usage string
	// flags registers the command's flags; run gets the positional args.
	flags func(fs *pflag.FlagSet)
	run   func(ctx context.Context, env *Env, args []string) error
}

func commands() []*command {
	return []*command{
		getCommand(), describeCommand(), createCommand(), applyCommand(), deleteCommand(),
		logsCommand(), scaleCommand(), rolloutCommand(), cordonCommand(true), cordonCommand(false),
		drainCommand(), labelCommand("label"), labelCommand("annotate"), apiResourcesCommand(),
		versionCommand(), waitCommand(), execCommand(), portForwardCommand(), patchCommand(), replaceCommand(), editCommand(),
		attachCommand(),
		runPodCommand(),
	}
}

// Run runs ctl with args (without the program name) and returns the exit
// code: 0 on success, 1 on any error (printed as kubectl prints it).
func Run(ctx context.Context, args []string, streams IOStreams) int {
	env := &Env{Streams: streams, Client: clientcmd.NewClientOptions(), Table: registry.Default(), Now: time.Now}
	err := run(ctx, env, args)
	if env.rest != nil {
		env.rest.CloseIdleConnections()
	}
	if err != nil {
		var exit *exitCodeError
		switch {
		case errors.As(err, &exit):
			fmt.Fprintln(streams.ErrOut, err.Error())
			return exit.code
		case errors.Is(err, errSilent):
		case errors.Is(err, syscall.ECONNREFUSED) && env.rest != nil:
			fmt.Fprintf(streams.ErrOut, "The connection to the server %s was refused - did you specify the right host or port?\n",
				env.rest.Base().Host)
		default:
			fmt.Fprintln(streams.ErrOut, FormatError(err))
		}
		return 1
	}
	return 0
}

// errSilent is returned after the command already printed its error.
var errSilent = errors.New("silent")

func addGlobalFlags(fs *pflag.FlagSet, env *Env) {
	env.Client.AddFlags(fs)
	env.Client.AddNamespaceFlag(fs)
}

func run(ctx context.Context, env *Env, args []string) error {
	global := pflag.NewFlagSet("ctl", pflag.ContinueOnError)
	global.SetInterspersed(false)
	global.SetOutput(io.Discard)
	addGlobalFlags(global, env)
	help := global.BoolP("help", "h", false, "help")
	if err := global.Parse(args); err != nil {
		return err
	}
	rest := global.Args()
	if *help || len(rest) == 0 || rest[0] == "help" {
		printUsage(env.Streams.Out)
		return nil
	}
	for _, c := range commands() {
		if c.name == rest[0] {
			return runCommand(ctx, env, c, rest[1:])
		}
	}
	return fmt.Errorf("unknown command %q for \"ctl\"", rest[0])
}

func runCommand(ctx context.Context, env *Env, c *command, args []string) error {
	fs := pflag.NewFlagSet("ctl "+c.name, pflag.ContinueOnError)
	fs.SetOutput(env.Streams.ErrOut)
	addGlobalFlags(fs, env)
	if c.flags != nil {
		c.flags(fs)
	}
	help := fs.BoolP("help", "h", false, "help for "+c.name)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return err
	}
	if *help {
		fmt.Fprintf(env.Streams.Out, "%s\n\nUsage:\n  ctl %s\n\nFlags:\n%s", c.short, c.usage, fs.FlagUsages())
		return nil
	}
	return c.run(ctx, env, fs.Args())
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "ctl controls a tinykube cluster.\n\nCommands:")
	cs := commands()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.short)
	}
	fmt.Fprintln(w, "\nGlobal flags: --kubeconfig, --server/-s, --token, --context, --namespace/-n")
	fmt.Fprintln(w, "Use \"ctl <command> --help\" for more information about a command.")
}

// Main is cmd/ctl's whole body.
func Main() {
	ctx, cancel := signalContext()
	code := Run(ctx, os.Args[1:], IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr})
	cancel()
	os.Exit(code)
}

// usageError is a mistake in the command line.
func usageError(format string, a ...any) error {
	return fmt.Errorf(format, a...)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func lower(s string) string { return strings.ToLower(s) }
