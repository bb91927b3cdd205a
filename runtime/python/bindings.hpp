// The Python face of cairn: the parts of the extension module cairn._cairn, each defined in its
// own file and added to the module by module.cpp.
#pragma once

#include <pybind11/pybind11.h>

namespace cairn::python {

/// init(), finalize() and the state queries (module.cpp).
void add_lifecycle(pybind11::module_& m);

/// register_array(), register_distributed() for numpy arrays (arrays.cpp).
void add_arrays(pybind11::module_& m);

/// register_object() with Python callbacks (objects.cpp).
void add_objects(pybind11::module_& m);

/// The check that the interposition covers the MPI calls of another library (probe.cpp).
void add_probe(pybind11::module_& m);

}  // namespace cairn::python
