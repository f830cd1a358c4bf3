// Package daemon is the bootstrap every tinykube binary shares: a zap logger
// from --log-level/--log-format, an HTTP server for /healthz, /livez, /readyz,
// /metrics and /debug/pprof on --bind-address/--port, a context cancelled on
// SIGINT/SIGTERM, and helpers to run several parts and shut them down together.
// Main wires these into a binary's whole main: flags, logger, signal context.
package daemon
