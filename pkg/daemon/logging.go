package daemon

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// LogOptions selects the level and encoding of a daemon's logs.
type LogOptions struct {
	Level  string // debug, info, warn, error
	Format string // json, console
}

// NewLogOptions returns the defaults: info level, JSON lines.
func NewLogOptions() *LogOptions { return &LogOptions{Level: "info", Format: "json"} }

// AddFlags registers --log-level and --log-format on fs.
func (o *LogOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Level, "log-level", o.Level, "log level: debug, info, warn or error")
	fs.StringVar(&o.Format, "log-format", o.Format, "log format: json or console")
}

// Validate reports an unknown level or format.
func (o *LogOptions) Validate() error {
	if _, err := parseLevel(o.Level); err != nil {
		return err
	}
	switch strings.ToLower(o.Format) {
	case "json", "console":
		return nil
	}
	return fmt.Errorf("--log-format: unknown format %q (want json or console)", o.Format)
}

// Build returns a logger writing to stderr as the options say.
func (o *LogOptions) Build() (*zap.Logger, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	lvl, _ := parseLevel(o.Level)
	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	cfg.Sampling = nil
	cfg.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	cfg.EncoderConfig.TimeKey = "ts"
	if strings.ToLower(o.Format) == "console" {
		cfg.Encoding = "console"
		cfg.EncoderConfig.EncodeLevel = zapcore.CapitalLevelEncoder
	}
	logger, err := cfg.Build()
	if err != nil {
		return nil, fmt.Errorf("build logger: %w", err)
	}
	return logger, nil
}

func parseLevel(s string) (zapcore.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return zapcore.DebugLevel, nil
	case "info", "":
		return zapcore.InfoLevel, nil
	case "warn", "warning":
		return zapcore.WarnLevel, nil
	case "error":
		return zapcore.ErrorLevel, nil
	}
	return zapcore.InfoLevel, fmt.Errorf("--log-level: unknown level %q (want debug, info, warn or error)", s)
}
