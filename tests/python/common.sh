# Shared helpers of the Python tests (sourced): the e2e helpers, plus the interpreter and the
# package from the build tree. Needs PYTHON, TEST_BUILD_DIR and TEST_SOURCE_DIR (set by ctest).
source "$TEST_SOURCE_DIR/tests/e2e/heat_common.sh"
PYTHON=${PYTHON:?PYTHON (the interpreter of the package) is not set}
export PYTHONPATH=$TEST_BUILD_DIR/python${PYTHONPATH:+:$PYTHONPATH}
PYDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
