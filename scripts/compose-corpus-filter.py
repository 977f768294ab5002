#!/usr/bin/python3
"""Acceptance filter of the Compose corpus figure (scripts/compose-corpus.sh): docker-compose 1.29's own loader
(what `docker-compose -f FILE [-f OVERRIDE] config -q` runs), called in one process for every corpus folder instead
of one docker-compose start per folder. Prints one line per folder: name, accepted | accepted-v2 | refused, and the
first line of the complaint. Run it with an empty environment (env -i): the folder's .env is the only input.

accepted-v2: 1.29 predates parts of the Compose Specification. A top-level `name:` is removed and the file asked
again; a complaint that names only keys newer than 1.29 (V2_ONLY) is not held against the file.
"""
import os
import re
import sys

import yaml
from compose.config import config
from compose.config.environment import Environment

FILE_NAMES = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"]
OVERRIDE_NAMES = ["compose.override.yaml", "compose.override.yml", "docker-compose.override.yml",
                  "docker-compose.override.yaml"]
V2_ONLY = ("develop|include|required|start_interval|additional_contexts|ssh|tags|platforms|annotations|attach|cgroup|"
           "uts|post_start|pre_stop|gw_priority|priority|models|provider|label_file|path|format|x-[A-Za-z0-9_-]+")
V2_COMPLAINT = re.compile(
    r"(Unsupported config option for [^:]+: |contains unsupported option: |"
    r"Additional properties are not allowed \()'(" + V2_ONLY + r")'( was unexpected\))?$"
    # build: keys of BuildKit-era Compose
    r"|build contains unsupported option: '(secrets|ssh|tags|platforms|additional_contexts|privileged|ulimits|"
    r"entitlements|no_cache|pull|dockerfile_inline)'$"
    # env_file: {path, required} is the Compose Specification's long form
    r"|env_file contains \{.*\}, which is an invalid type"
    # environment values written as YAML booleans: v2 turns them into "true"/"false"
    r"|\.environment\.\S+ contains (true|false), which is an invalid type"
    # secrets/configs from environment: or content:
    r"|(secrets|configs)\.\S+ value '(environment|content)' does not match any of the regexes")


def load(folder, files, drop_name):
    """drop_name: read the files here, without their top-level name: and version: (both newer or older than
    1.29 knows; Compose v2 ignores version: and reads name:)."""
    environment = Environment.from_env_file(folder)
    if not drop_name:
        details = config.find(folder, files, environment)
    else:
        parsed = []
        for f in files:
            with open(os.path.join(folder, f)) as stream:
                data = yaml.safe_load(stream)
            if isinstance(data, dict):
                data.pop("name", None)
                data.pop("version", None)
            parsed.append(config.ConfigFile(os.path.join(folder, f), data))
        details = config.ConfigDetails(folder, parsed, environment)
    config.load(details, interpolate=True)


def complaint(error):
    text = getattr(error, "msg", None) or str(error) or type(error).__name__
    lines = [l for l in text.splitlines()
             if l.strip() and not l.startswith("WARNING") and not l.rstrip().endswith("is invalid because:")
             and "wrong Compose file version" not in l and not l.rstrip().endswith("compose-file/")]
    return lines


def verdict(folder, files):
    try:
        load(folder, files, False)
        return "accepted", ""
    except Exception as error:  # the loader raises ConfigurationError, YAML and OS errors alike
        lines = complaint(error)
    if not lines or any("'name' does not match any of the regexes" in l or "Version in" in l for l in lines):
        try:
            load(folder, files, True)
            return "accepted-v2", ""
        except Exception as error:
            lines = complaint(error)
    if lines and all(V2_COMPLAINT.search(l.strip()) for l in lines):
        return "accepted-v2", ""
    first = lines[0] if lines else "refused without a message"
    first = first.replace(folder + "/", "./").replace(folder, ".")
    first = re.sub(r"'[^']*'", "'…'", first)
    first = re.sub(r'"[^"]*"', '"…"', first)
    first = re.sub(r"services\.[A-Za-z0-9_-]+", "services.*", first)
    return "refused", first[:140]


def main():
    import logging
    logging.disable(logging.CRITICAL)  # 1.29 logs "variable is not set" warnings: not a verdict
    corpus = os.path.abspath(sys.argv[1])
    for name in sorted(os.listdir(corpus)):
        folder = os.path.join(corpus, name)
        if not os.path.isdir(folder) or name.startswith("."):
            continue
        main_file = next((f for f in FILE_NAMES if os.path.isfile(os.path.join(folder, f))), None)
        if main_file is None:
            continue
        files = [main_file] + [f for f in OVERRIDE_NAMES if os.path.isfile(os.path.join(folder, f))][:1]
        state, reason = verdict(folder, files)
        print(f"{name}\t{state}\t{reason}", flush=True)


if __name__ == "__main__":
    main()
