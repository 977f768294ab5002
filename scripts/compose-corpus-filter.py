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
    # ports: long syntax with a name or app_protocol (Compose Specification)
    r"|\.ports contains unsupported option: '(name|app_protocol)'"
    # restart: no unquoted is a boolean in 1.29's YAML 1.1, the string "no" in v2's YAML 1.2
    r"|\.restart contains an invalid type, it should be a string"
    # secrets/configs from environment: or content:
    r"|(secrets|configs)\.\S+ value '(environment|content)' does not match any of the regexes")


PORTS_COMPLAINT = re.compile(r"\.ports contains an invalid type")
VARIABLE = re.compile(r"\$\{(\w+)(:?-([^}]*))?\}|\$(\w+)")


def empty_host_port(folder, files):
    """A port like "${PORT}:80" whose variable is unset reads ":80": 1.29 refuses it, Compose v2 publishes the
    container port on a random host port. True when every such refused entry is of that kind."""
    env = {}
    if os.path.isfile(os.path.join(folder, ".env")):
        for line in open(os.path.join(folder, ".env")):
            if "=" in line and not line.lstrip().startswith("#"):
                k, v = line.split("=", 1)
                env[k.strip()] = v.strip().strip('"').strip("'")

    def value(m):
        name = m.group(1) or m.group(4)
        if env.get(name):
            return env[name]
        return m.group(3) if m.group(2) else ""

    found = False
    for f in files:
        with open(os.path.join(folder, f)) as stream:
            data = yaml.safe_load(stream)
        for svc in (data.get("services") or {}).values() if isinstance(data, dict) else []:
            for port in (svc or {}).get("ports") or [] if isinstance(svc, dict) else []:
                if isinstance(port, str):
                    text = VARIABLE.sub(value, port)
                    if text.startswith(":"):
                        if not re.fullmatch(r":\d+(-\d+)?(/\w+)?", text):
                            return False
                        found = True
    return found


def missing_env_file(folder, files):
    """The first required env_file that is not there (Compose v2 refuses those too), or None."""
    for f in files:
        with open(os.path.join(folder, f)) as stream:
            data = yaml.safe_load(stream)
        services = data.get("services") if isinstance(data, dict) else None
        for svc in (services or {}).values() if isinstance(services, dict) else []:
            entries = svc.get("env_file") if isinstance(svc, dict) else None
            for entry in [entries] if isinstance(entries, (str, dict)) else entries or []:
                path, required = (entry, True) if isinstance(entry, str) else (entry.get("path"), entry.get("required", True))
                if required and isinstance(path, str) and "$" not in path \
                        and not os.path.isfile(os.path.join(folder, path)):
                    return path
    return None


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
    if lines and all(V2_COMPLAINT.search(l.strip()) or (PORTS_COMPLAINT.search(l) and empty_host_port(folder, files))
                     for l in lines):
        # 1.29 stops at the first kind of complaint: what it would have checked next, checked here.
        missing = missing_env_file(folder, files)
        return ("refused", "Couldn't find env file: ./" + missing) if missing else ("accepted-v2", "")
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
