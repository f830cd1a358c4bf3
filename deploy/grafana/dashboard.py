#!/usr/bin/env python3
"""Writes deploy/grafana/dashboards/tinykube.json, the Grafana dashboard of the
compose cluster, from the panel table below: edit the table, run this file,
and commit both."""
import json
import os

DS = {"type": "prometheus", "uid": "tinykube-prometheus"}

# (title, unit, [(expr, legend)], kind); kind: ts (time series) or stat.
ROWS = [
    ("API server", [
        ("Requests per second by verb", "reqps",
         [("sum by (verb) (verb_resource_code:apiserver_request_total:rate1m)", "{{verb}}")], "ts"),
        ("Responses per second by code class", "reqps",
         [("code_class:apiserver_request_total:rate5m", "{{code_class}}")], "ts"),
        ("Latency percentiles (all verbs but WATCH)", "s",
         [("max(verb:apiserver_request_duration_seconds:p50_5m)", "p50"),
          ("max(verb:apiserver_request_duration_seconds:p90_5m)", "p90"),
          ("max(verb:apiserver_request_duration_seconds:p99_5m)", "p99")], "ts"),
        ("p99 latency by verb", "s",
         [("verb:apiserver_request_duration_seconds:p99_5m", "{{verb}}")], "ts"),
        ("Open watches by resource", "short",
         [("resource:apiserver_longrunning_requests:sum", "{{resource}}")], "ts"),
        ("5xx error ratio", "percentunit",
         [("apiserver_request:error_ratio_rate5m", "errors")], "ts"),
    ]),
    ("Workloads", [
        ("Nodes ready", "short", [("cluster:nodes_ready:count", "ready")], "stat"),
        ("Pods running", "short", [("cluster:pods_running:sum", "running")], "stat"),
        ("Pods pending (scheduler queues)", "short", [("cluster:pods_pending:sum", "pending")], "stat"),
        ("Pods by phase", "short",
         [("cluster:pods_running:sum", "Running"), ("cluster:pods_pending:sum", "Pending")], "ts"),
        ("Running pods per node", "short", [("node:kubelet_running_pods:sum", "{{node}}")], "ts"),
        ("Node readiness (kubelet answering)", "short", [("node:kubelet_up:sum", "{{node}}")], "ts"),
    ]),
    ("Scheduler and controllers", [
        ("Scheduling latency (attempt + bind)", "s",
         [("scheduler_e2e_scheduling_duration_seconds:p50_5m", "p50"),
          ("scheduler_e2e_scheduling_duration_seconds:p99_5m", "p99")], "ts"),
        ("Scheduling attempts per second by result", "ops",
         [("result:scheduler_schedule_attempts_total:rate1m", "{{result}}")], "ts"),
        ("Pending pods by queue", "short", [("queue:scheduler_pending_pods:max", "{{queue}}")], "ts"),
        ("Workqueue depth by controller", "short", [("name:workqueue_depth:max", "{{name}}")], "ts"),
        ("Leaders", "short", [("leader_election_master_status == 1", "{{job}} {{instance}}")], "ts"),
        ("Targets up", "short", [("sum by (job) (up)", "{{job}}")], "ts"),
    ]),
]


def panel(pid, title, unit, targets, kind, x, y):
    w, h = (4, 5) if kind == "stat" else (8, 8)
    return {
        "id": pid, "title": title, "datasource": DS,
        "type": "stat" if kind == "stat" else "timeseries",
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}},
        "targets": [{"datasource": DS, "expr": e, "legendFormat": l, "refId": chr(65 + i)}
                    for i, (e, l) in enumerate(targets)],
    }


def dashboard():
    panels, pid, y = [], 1, 0
    for row, items in ROWS:
        panels.append({"id": pid, "type": "row", "title": row, "collapsed": False,
                       "gridPos": {"x": 0, "y": y, "w": 24, "h": 1}, "panels": []})
        pid, y, x, rowh = pid + 1, y + 1, 0, 0
        for title, unit, targets, kind in items:
            p = panel(pid, title, unit, targets, kind, x, y)
            w, h = p["gridPos"]["w"], p["gridPos"]["h"]
            if x + w > 24:
                x, y = 0, y + rowh
                p["gridPos"].update(x=0, y=y)
                rowh = 0
            panels.append(p)
            pid, x, rowh = pid + 1, x + w, max(rowh, h)
        y += rowh
    return {
        "uid": "tinykube", "title": "tinykube cluster", "tags": ["tinykube"],
        "timezone": "browser", "schemaVersion": 39, "version": 1, "editable": True,
        "refresh": "10s", "time": {"from": "now-1h", "to": "now"},
        "panels": panels, "templating": {"list": []}, "annotations": {"list": []},
    }


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dashboards", "tinykube.json")
    with open(out, "w") as f:
        json.dump(dashboard(), f, indent=2)
        f.write("\n")
