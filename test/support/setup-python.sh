#!/usr/bin/env bash
# The Python packages the export tests read our files with (independent readers, docs/testing.md): `datasets`
# (load_dataset on the Hugging Face layout; brings pyarrow), `yaml` (PyYAML: the card and axolotl fragments) and
# `protobuf` (tf.train.Example). Installs only what is missing: from the local package mirror where the machine has
# one (/opt/pypi; PyPI itself may be unreachable there), else from PyPI. A Debian python without pip gets python3-pip.
set -uo pipefail
need=()
python3 -c 'import datasets' 2>/dev/null || need+=(datasets)
python3 -c 'import yaml' 2>/dev/null || need+=(pyyaml)
python3 -c 'import google.protobuf' 2>/dev/null || need+=(protobuf)
[ ${#need[@]} -eq 0 ] && exit 0
echo "setup-python: installing ${need[*]}"
if ! python3 -m pip --version >/dev/null 2>&1; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-pip >/dev/null; } \
    || { echo "setup-python: python3 with pip is needed for the export tests (apt-get install python3-pip)"; exit 1; }
fi
index=()
[ -d /opt/pypi/simple ] && index=(--index-url file:///opt/pypi/simple)
[ -d /opt/pypi-more/simple ] && index+=(--extra-index-url file:///opt/pypi-more/simple)
python3 -m pip install -q "${index[@]}" "${need[@]}" \
  || python3 -m pip install -q --break-system-packages "${index[@]}" "${need[@]}" \
  || { echo "setup-python: pip install ${need[*]} failed"; exit 1; }
