package validation

import (
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

func validateContainerProbes(c *core.Container, init bool, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if init {
		for i, pr := range []*core.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
			if pr != nil {
				name := []string{"livenessProbe", "readinessProbe", "startupProbe"}[i]
				errs = append(errs, field.Forbidden(p.Child(name), "may not be set for init containers"))
			}
		}
		return errs
	}
	errs = append(errs, validateProbe(c.LivenessProbe, true, p.Child("livenessProbe"))...)
	errs = append(errs, validateProbe(c.ReadinessProbe, false, p.Child("readinessProbe"))...)
	errs = append(errs, validateProbe(c.StartupProbe, true, p.Child("startupProbe"))...)
	if c.ReadinessProbe != nil && c.ReadinessProbe.TerminationGracePeriodSeconds != nil {
		errs = append(errs, field.Invalid(p.Child("readinessProbe", "terminationGracePeriodSeconds"), *c.ReadinessProbe.TerminationGracePeriodSeconds, "must not be set for readinessProbes"))
	}
	return errs
}

// validateProbe checks one probe; successThreshold must be 1 for liveness
// and startup probes.
func validateProbe(pr *core.Probe, mustSucceedOnce bool, p *field.Path) field.ErrorList {
	if pr == nil {
		return nil
	}
	errs := validateHandler(pr.Exec, pr.HTTPGet, pr.TCPSocket, pr.GRPC != nil, p)
	if pr.GRPC != nil {
		errs = invalidEach(errs, p.Child("grpc", "port"), pr.GRPC.Port, names.IsValidPortNum(int(pr.GRPC.Port)))
	}
	errs = append(errs, ValidateNonnegativeField(int64(pr.InitialDelaySeconds), p.Child("initialDelaySeconds"))...)
	errs = append(errs, ValidateNonnegativeField(int64(pr.TimeoutSeconds), p.Child("timeoutSeconds"))...)
	errs = append(errs, ValidateNonnegativeField(int64(pr.PeriodSeconds), p.Child("periodSeconds"))...)
	errs = append(errs, ValidateNonnegativeField(int64(pr.SuccessThreshold), p.Child("successThreshold"))...)
	errs = append(errs, ValidateNonnegativeField(int64(pr.FailureThreshold), p.Child("failureThreshold"))...)
	if mustSucceedOnce && pr.SuccessThreshold != 1 {
		errs = append(errs, field.Invalid(p.Child("successThreshold"), pr.SuccessThreshold, "must be 1"))
	}
	if g := pr.TerminationGracePeriodSeconds; g != nil && *g <= 0 {
		errs = append(errs, field.Invalid(p.Child("terminationGracePeriodSeconds"), *g, "must be greater than 0"))
	}
	return errs
}

func validateLifecycle(l *core.Lifecycle, p *field.Path) field.ErrorList {
	if l == nil {
		return nil
	}
	var errs field.ErrorList
	for i, h := range []*core.LifecycleHandler{l.PostStart, l.PreStop} {
		if h == nil {
			continue
		}
		name := []string{"postStart", "preStop"}[i]
		errs = append(errs, validateHandler(h.Exec, h.HTTPGet, h.TCPSocket, h.Sleep != nil, p.Child(name))...)
		if h.Sleep != nil && h.Sleep.Seconds < 0 {
			errs = append(errs, field.Invalid(p.Child(name, "sleep", "seconds"), h.Sleep.Seconds, "must be greater than or equal to 0"))
		}
	}
	return errs
}

// validateHandler requires exactly one action and checks exec, httpGet and
// tcpSocket; other is true when a handler-specific fourth kind is set.
func validateHandler(exec *core.ExecAction, get *core.HTTPGetAction, tcp *core.TCPSocketAction, other bool, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	n := 0
	if other {
		n++
	}
	if exec != nil {
		n++
		if len(exec.Command) == 0 {
			errs = append(errs, field.Required(p.Child("exec", "command"), ""))
		}
	}
	if get != nil {
		n++
		errs = append(errs, validatePortNumOrName(get.Port, p.Child("httpGet", "port"))...)
		if get.Scheme != core.URISchemeHTTP && get.Scheme != core.URISchemeHTTPS {
			errs = append(errs, field.NotSupported(p.Child("httpGet", "scheme"), get.Scheme, []string{"HTTP", "HTTPS"}))
		}
		for i, h := range get.HTTPHeaders {
			if h.Name == "" {
				errs = append(errs, field.Required(p.Child("httpGet", "httpHeaders").Index(i).Child("name"), ""))
			}
		}
	}
	if tcp != nil {
		n++
		errs = append(errs, validatePortNumOrName(tcp.Port, p.Child("tcpSocket", "port"))...)
	}
	switch {
	case n == 0:
		errs = append(errs, field.Required(p, "must specify a handler type"))
	case n > 1:
		errs = append(errs, field.Forbidden(p, "may not specify more than 1 handler type"))
	}
	return errs
}

func validatePortNumOrName(port intstr.IntOrString, p *field.Path) field.ErrorList {
	if port.Type == intstr.Int {
		return invalidEach(nil, p, port.IntVal, names.IsValidPortNum(int(port.IntVal)))
	}
	return invalidEach(nil, p, port.StrVal, names.IsValidPortName(port.StrVal))
}
