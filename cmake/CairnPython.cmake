# The Python interpreter and pybind11 for the Python package (runtime/python). The interpreter is
# the first of: -DPython3_EXECUTABLE=..., python3 on PATH, /usr/bin/python3 that imports numpy,
# mpi4py and pybind11 (a python3 of a version manager or a bare virtualenv usually lacks them).
# Sets CAIRN_PYTHON_EXECUTABLE, CAIRN_PYTHON_INSTALL_DIR (both cached) and finds pybind11.
set(_cairn_py_candidates)
if(Python3_EXECUTABLE)
    list(APPEND _cairn_py_candidates ${Python3_EXECUTABLE})
else()
    find_program(_cairn_py_on_path python3)
    if(_cairn_py_on_path)
        list(APPEND _cairn_py_candidates ${_cairn_py_on_path})
    endif()
    list(APPEND _cairn_py_candidates /usr/bin/python3)
endif()
set(_cairn_py "")
foreach(py IN LISTS _cairn_py_candidates)
    execute_process(COMMAND ${py} -c "import numpy, mpi4py, pybind11; print(pybind11.get_cmake_dir())"
        RESULT_VARIABLE _rc OUTPUT_VARIABLE _pybind11_dir ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(_rc EQUAL 0)
        set(_cairn_py ${py})
        break()
    endif()
endforeach()
if(NOT _cairn_py)
    message(FATAL_ERROR "The Python package needs a python3 that imports numpy, mpi4py and "
        "pybind11 (tried: ${_cairn_py_candidates}). On Debian: apt-get install python3-dev "
        "python3-numpy python3-mpi4py python3-pybind11; or pass -DPython3_EXECUTABLE=<python>; "
        "or build without it: -DCAIRN_PYTHON=OFF")
endif()
set(CAIRN_PYTHON_EXECUTABLE ${_cairn_py} CACHE INTERNAL "python3 of the Python package and its tests")
set(PYTHON_EXECUTABLE ${CAIRN_PYTHON_EXECUTABLE})
find_package(pybind11 CONFIG REQUIRED HINTS ${_pybind11_dir})

# Where `cmake --install` puts the package: the site-packages directory of the interpreter that
# lies under CMAKE_INSTALL_PREFIX (a virtualenv's own when the prefix is the virtualenv; Debian's
# /usr/local/lib/python3.X/dist-packages for the prefix /usr/local), else
# <prefix>/lib/python3.X/site-packages (then add it to PYTHONPATH).
execute_process(COMMAND ${CAIRN_PYTHON_EXECUTABLE} -c "
import site, sys, sysconfig
prefix = sys.argv[1].rstrip('/') + '/'
for d in site.getsitepackages():
    if d.startswith(prefix):
        print(d[len(prefix):]); break
else:
    v = sysconfig.get_config_var('py_version_short')
    print('lib/python' + v + '/site-packages')
" ${CMAKE_INSTALL_PREFIX} OUTPUT_VARIABLE _cairn_py_dest OUTPUT_STRIP_TRAILING_WHITESPACE)
set(CAIRN_PYTHON_INSTALL_DIR ${_cairn_py_dest} CACHE STRING
    "Install directory of the Python package, relative to CMAKE_INSTALL_PREFIX")
