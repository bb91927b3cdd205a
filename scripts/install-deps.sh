#!/usr/bin/env bash
# Install the Debian 12 packages cairn needs to build, test and run its demo.
# Safe to run more than once: packages already present are left alone.
set -euo pipefail

packages=(
    build-essential cmake pkg-config git
    openmpi-bin libopenmpi-dev
    libhdf5-openmpi-dev hdf5-tools
    libboost-program-options-dev
    catch2
    libxxhash-dev
    libisal-dev
    python3-pybind11 python3-mpi4py python3-dev
    python3 python3-h5py python3-numpy
    clang libclang-rt-14-dev
    gnuplot-nox
    gfortran
    slurm-wlm slurmctld slurmd slurm-client munge
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "install ok installed" > /dev/null; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages already installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
        exit 1
    fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
