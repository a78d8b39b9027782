# shellcheck shell=bash
# Sourced by tests/sdk/run.sh and tests/contract/run.sh: a virtualenv for a requirements file,
# made again only when the file changed (a copy of it is kept in the venv). Needs python3 with
# venv (Debian: python3-venv) and access to PyPI the first time.

# prepare_venv NAME VENV REQUIREMENTS
prepare_venv() {
    local name=$1 venv=$2 requirements=$3
    if [[ ! -x $venv/bin/python ]] || ! cmp -s "$requirements" "$venv/requirements.txt"; then
        echo "$name: preparing $venv"
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
        cp "$requirements" "$venv/requirements.txt"
    fi
}
