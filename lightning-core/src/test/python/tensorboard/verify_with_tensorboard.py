"""Checks JLightning's TensorBoard event files with TensorBoard's own readers. Run by hand, never by the build.

    python3 verify_with_tensorboard.py [LOGDIR]

Without LOGDIR it builds the test classes with Maven (no install), runs dev.jlightning.logging.TensorBoardSampleRun
into a temporary directory and checks that. Needs the tensorboard package (and the tensorboard_data_server for the
second server pass). Three independent readers look at the files:

1. tensorboard.backend.event_processing.event_accumulator.EventAccumulator (Python), which verifies the record CRCs
   and decodes scalars, tensors, histograms and plugin metadata;
2. a TensorBoard server with --load_fast=false (the Python data ingestion), queried over HTTP on 127.0.0.1 for the
   scalars, text, histograms and HPARAMS dashboards' data;
3. the same with --load_fast=true (the Rust data server), if available.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from tensorboard.backend.event_processing import event_accumulator
from tensorboard.plugins.hparams import metadata as hparams_metadata
from tensorboard.plugins.hparams import api_pb2

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", ".."))
FAILURES = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message)
    if not condition:
        FAILURES.append(message)


def write_sample(out_dir):
    def mvn(*args):
        subprocess.run(["mvn", "-B", "-q", *args], cwd=REPO, check=True)

    mvn("-pl", "lightning-core", "-am", "test-compile")
    cp_file = os.path.join(out_dir, "classpath.txt")
    mvn("-pl", "lightning-core", "dependency:build-classpath", "-Dmdep.outputFile=" + cp_file,
        "-Dmdep.includeScope=test")
    with open(cp_file) as f:
        deps = f.read().strip()
    core = os.path.join(REPO, "lightning-core", "target")
    classpath = os.pathsep.join([os.path.join(core, "test-classes"), os.path.join(core, "classes"), deps])
    logdir = os.path.join(out_dir, "logs")
    subprocess.run(["java", "-cp", classpath, "dev.jlightning.logging.TensorBoardSampleRun", logdir], check=True)
    return logdir


def run_dirs(logdir):
    found = []
    for root, _, files in os.walk(logdir):
        if any("tfevents" in f for f in files):
            found.append(root)
    return sorted(found)


def check_with_accumulator(run_dir):
    print("== EventAccumulator on", run_dir)
    acc = event_accumulator.EventAccumulator(run_dir, size_guidance={
        event_accumulator.SCALARS: 0, event_accumulator.TENSORS: 0, event_accumulator.HISTOGRAMS: 0})
    acc.Reload()
    tags = acc.Tags()
    print("tags:", json.dumps(tags, sort_keys=True))
    check("train_loss" in tags["scalars"], "scalar train_loss present")
    losses = acc.Scalars("train_loss")
    check(len(losses) == 50 and [e.step for e in losses] == list(range(50)), "train_loss has steps 0..49")
    check(abs(losses[0].value - 2.0) < 0.06, "train_loss starts near 2.0: %r" % losses[0].value)
    check(len(acc.Scalars("lr-SGD")) == 50, "lr-SGD has 50 points")
    hp = acc.Scalars("hp_metric")
    check([round(e.value, 6) for e in hp] == [-1.0, 0.12], "hp_metric is -1 then 0.12: %r" % [e.value for e in hp])
    hist = acc.Histograms("layer.weight")
    check([h.step for h in hist] == [0, 10, 20, 30, 40], "layer.weight histograms at steps 0..40")
    h0 = hist[0].histogram_value
    check(h0.num == 1000 and sum(h0.bucket) == 1000, "histogram counts all 1000 values")
    check(len(acc.Histograms("layer.bias")) == 5, "layer.bias (from a Tensor) histograms present")
    text = acc.Tensors("notes/text_summary")
    check(len(text) == 1 and text[0].tensor_proto.string_val[0].decode().startswith("JLightning sample run"),
          "text summary decodes")
    content = acc.PluginTagToContent(hparams_metadata.PLUGIN_NAME)
    check(set(content) == {hparams_metadata.EXPERIMENT_TAG, hparams_metadata.SESSION_START_INFO_TAG,
                           hparams_metadata.SESSION_END_INFO_TAG}, "the three hparams summaries are present")
    exp = hparams_metadata.parse_experiment_plugin_data(content[hparams_metadata.EXPERIMENT_TAG])
    names = [h.name for h in exp.hparam_infos]
    check(names == ["lr", "optimizer", "batch_size", "nesterov", "scheduler/name", "scheduler/max_lr"]
          or sorted(names) == sorted(["lr", "optimizer", "batch_size", "nesterov", "scheduler/name",
                                      "scheduler/max_lr"]), "experiment lists the flattened hparams: %r" % names)
    check([m.name.tag for m in exp.metric_infos] == ["hp_metric"], "experiment lists hp_metric")
    ssi = hparams_metadata.parse_session_start_info_plugin_data(
        content[hparams_metadata.SESSION_START_INFO_TAG])
    check(ssi.hparams["optimizer"].string_value == "SGD" and ssi.hparams["lr"].number_value == 0.1,
          "session start info holds optimizer=SGD, lr=0.1")
    sei = hparams_metadata.parse_session_end_info_plugin_data(content[hparams_metadata.SESSION_END_INFO_TAG])
    check(sei.status == api_pb2.STATUS_SUCCESS, "session end info says STATUS_SUCCESS")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(port, path, body=None):
    url = "http://127.0.0.1:%d%s" % (port, path)
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={
        "Content-Type": "application/json", "X-TensorBoard-Feature-Flags": "{}"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.loads(response.read().decode())


def check_with_server(logdir, load_fast):
    print("== TensorBoard server, --load_fast=%s" % load_fast)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tensorboard.main", "--logdir", logdir, "--host", "127.0.0.1", "--port", str(port),
         "--load_fast", load_fast, "--reload_interval", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        runs = []
        for _ in range(60):  # at most ~30 s for the first load
            time.sleep(0.5)
            if server.poll() is not None:
                break
            try:
                runs = http(port, "/data/runs")
                if runs and "train_loss" in json.dumps(http(port, "/data/plugin/scalars/tags")):
                    break
            except OSError:
                pass
        if server.poll() is not None:
            check(False, "server running (stderr: %s)" % server.stderr.read().decode()[-2000:])
            return
        check(len(runs) == 1, "one run listed: %r" % runs)
        run = runs[0]
        q = lambda **kw: urllib.parse.urlencode(kw)
        scalars = http(port, "/data/plugin/scalars/scalars?" + q(run=run, tag="train_loss"))
        check(len(scalars) == 50, "scalars dashboard: 50 train_loss points")
        text = http(port, "/data/plugin/text/text?" + q(run=run, tag="notes/text_summary"))
        check(len(text) == 1 and "<strong>bold</strong>" in text[0]["text"], "text dashboard renders the Markdown")
        hist = http(port, "/data/plugin/histograms/histograms?" + q(run=run, tag="layer.weight"))
        check(len(hist) == 5, "histograms dashboard: 5 layer.weight histograms")
        exp = http(port, "/data/plugin/hparams/experiment", {"experimentName": ""})
        hparam_names = sorted(h["name"] for h in exp.get("hparamInfos", []))
        check(hparam_names == sorted(["lr", "optimizer", "batch_size", "nesterov", "scheduler/name",
                                      "scheduler/max_lr"]), "HPARAMS dashboard: hparam columns %r" % hparam_names)
        metric_tags = [m["name"]["tag"] for m in exp.get("metricInfos", [])]
        check("hp_metric" in metric_tags, "HPARAMS dashboard: hp_metric column %r" % metric_tags)
        groups = http(port, "/data/plugin/hparams/session_groups", {
            "experimentName": "", "startIndex": 0, "sliceSize": 100,
            "allowedStatuses": ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"],
            "colParams": [], "aggregationType": "AGGREGATION_AVG"})
        sessions = groups.get("sessionGroups", [])
        check(len(sessions) == 1, "HPARAMS dashboard: one session group")
        if sessions:
            g = sessions[0]
            print("session group:", json.dumps(g, sort_keys=True)[:600])
            check(g["hparams"].get("optimizer") == "SGD" and g["hparams"].get("lr") == 0.1,
                  "session group hparams optimizer=SGD, lr=0.1")
            values = {m["name"]["tag"]: m["value"] for m in g.get("metricValues", [])}
            check(abs(values.get("hp_metric", 0) - 0.12) < 1e-6, "session group hp_metric = 0.12 (last value)")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        logdir = sys.argv[1] if len(sys.argv) > 1 else write_sample(tmp)
        dirs = run_dirs(logdir)
        check(len(dirs) == 1, "one run directory under %s" % logdir)
        check_with_accumulator(dirs[0])
        check_with_server(logdir, "false")
        try:
            from tensorboard_data_server import server_binary
            has_rust = server_binary() is not None
        except ImportError:
            has_rust = False
        if has_rust:
            check_with_server(logdir, "true")
        else:
            print("-- no tensorboard_data_server binary: Rust reader skipped")
    print("%d failed" % len(FAILURES) if FAILURES else "all checks passed")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
