package ctl

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"
	"sigs.k8s.io/yaml"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

// APIResource is one row of api-resources.
type APIResource struct {
	meta.APIResource
	GroupVersion string
}

// discover reads the server's discovery documents.
func discover(ctx context.Context, env *Env) ([]APIResource, error) {
	c, err := env.REST()
	if err != nil {
		return nil, err
	}
	var gvs []string
	var core meta.APIVersions
	if err := c.Get().AbsPath("/api").Do(ctx).Into(&core); err != nil {
		return nil, err
	}
	gvs = append(gvs, core.Versions...)
	var groups meta.APIGroupList
	if err := c.Get().AbsPath("/apis").Do(ctx).Into(&groups); err != nil {
		return nil, err
	}
	for _, g := range groups.Groups {
		gvs = append(gvs, g.PreferredVersion.GroupVersion)
	}
	var out []APIResource
	for _, gv := range gvs {
		path := "/apis/" + gv
		if !strings.Contains(gv, "/") {
			path = "/api/" + gv
		}
		var list meta.APIResourceList
		if err := c.Get().AbsPath(path).Do(ctx).Into(&list); err != nil {
			return nil, err
		}
		for _, r := range list.APIResources {
			if !strings.Contains(r.Name, "/") {
				out = append(out, APIResource{APIResource: r, GroupVersion: gv})
			}
		}
	}
	return out, nil
}

func apiResourcesCommand() *command {
	var output string
	var namespaced, apiGroup string
	var noHeaders bool
	return &command{
		name: "api-resources", short: "Print the supported API resources on the server",
		usage: "api-resources [flags]",
		flags: func(fs *pflag.FlagSet) {
			fs.StringVarP(&output, "output", "o", "", "Output format: wide|name")
			fs.StringVar(&namespaced, "namespaced", "", "If false, non-namespaced resources will be returned, otherwise returning namespaced resources by default.")
			fs.BoolVar(&noHeaders, "no-headers", false, "When using the default or custom-column output format, don't print headers")
			fs.StringVar(&apiGroup, "api-group", "", "Limit to resources in the specified API group.")
		},
		run: func(ctx context.Context, env *Env, args []string) error {
			rs, err := discover(ctx, env)
			if err != nil {
				return err
			}
			if apiGroup != "" {
				filtered := rs[:0]
				for _, r := range rs {
					if groupOf(r.GroupVersion) == apiGroup {
						filtered = append(filtered, r)
					}
				}
				rs = filtered
			}
			if namespaced != "" {
				want := namespaced == "true"
				filtered := rs[:0]
				for _, r := range rs {
					if r.Namespaced == want {
						filtered = append(filtered, r)
					}
				}
				rs = filtered
			}
			sort.SliceStable(rs, func(i, j int) bool { return rs[i].Name < rs[j].Name })
			sort.SliceStable(rs, func(i, j int) bool { return groupOf(rs[i].GroupVersion) < groupOf(rs[j].GroupVersion) })
			return PrintAPIResources(env, rs, output, noHeaders)
		},
	}
}

func groupOf(gv string) string {
	if g, _, ok := strings.Cut(gv, "/"); ok {
		return g
	}
	return ""
}

// PrintAPIResources prints the api-resources table (or names).
func PrintAPIResources(env *Env, rs []APIResource, output string, noHeaders bool) error {
	if output == "name" {
		for _, r := range rs {
			n := r.Name
			if g := groupOf(r.GroupVersion); g != "" {
				n += "." + g
			}
			fmt.Fprintln(env.Streams.Out, n)
		}
		return nil
	}
	tw := tabwriter.NewWriter(env.Streams.Out, 6, 4, 3, ' ', 0)
	if !noHeaders {
		hdr := "NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND"
		if output == "wide" {
			hdr += "\tVERBS\tCATEGORIES"
		}
		fmt.Fprintln(tw, hdr)
	}
	for _, r := range rs {
		row := fmt.Sprintf("%s\t%s\t%s\t%t\t%s", r.Name, strings.Join(r.ShortNames, ","), r.GroupVersion, r.Namespaced, r.Kind)
		if output == "wide" {
			row += fmt.Sprintf("\t%s\t%s", "["+strings.Join(r.Verbs, " ")+"]", strings.Join(r.Categories, ","))
		}
		fmt.Fprintln(tw, row)
	}
	return tw.Flush()
}

// versionInfo is the shape of /version and of ctl's own version.
type versionInfo struct {
	Major      string `json:"major,omitempty"`
	Minor      string `json:"minor,omitempty"`
	GitVersion string `json:"gitVersion"`
	GoVersion  string `json:"goVersion,omitempty"`
	Platform   string `json:"platform,omitempty"`
}

// ClientVersion is the version ctl reports: the Kubernetes API level it
// speaks, with the module version when built from a tagged module.
func ClientVersion() versionInfo {
	v := versionInfo{Major: "1", Minor: "31", GitVersion: "v1.31.0-tinykube"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v.GoVersion = bi.GoVersion
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v.GitVersion += "+" + bi.Main.Version
		}
	}
	return v
}

func versionCommand() *command {
	var client bool
	var output string
	return &command{
		name: "version", short: "Print the client and server version information",
		usage: "version [--client] [-o json|yaml]",
		flags: func(fs *pflag.FlagSet) {
			fs.BoolVar(&client, "client", false, "If true, shows client version only (no server required).")
			fs.StringVarP(&output, "output", "o", "", "One of 'yaml' or 'json'.")
		},
		run: func(ctx context.Context, env *Env, args []string) error {
			out := map[string]any{"clientVersion": ClientVersion()}
			var serverErr error
			if !client {
				var sv versionInfo
				c, err := env.REST()
				if err == nil {
					err = c.Get().AbsPath("/version").Do(ctx).Into(&sv)
				}
				if err != nil {
					serverErr = err
				} else {
					out["serverVersion"] = sv
				}
			}
			switch output {
			case "json", "yaml":
				var b []byte
				var err error
				if output == "json" {
					b, err = json.MarshalIndent(out, "", "  ")
					b = append(b, '\n')
				} else {
					b, err = yaml.Marshal(out)
				}
				if err != nil {
					return fmt.Errorf("encode version: %w", err)
				}
				if _, err := env.Streams.Out.Write(b); err != nil {
					return err
				}
			case "":
				fmt.Fprintf(env.Streams.Out, "Client Version: %s\n", ClientVersion().GitVersion)
				if sv, ok := out["serverVersion"].(versionInfo); ok {
					fmt.Fprintf(env.Streams.Out, "Server Version: %s\n", sv.GitVersion)
				}
			default:
				return fmt.Errorf("--output must be 'yaml' or 'json'")
			}
			return serverErr
		},
	}
}
